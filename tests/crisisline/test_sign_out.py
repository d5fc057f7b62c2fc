"""Signing out deletes every sign-in cookie by name and asks the browser to drop
its cache and storage for the site."""

from __future__ import annotations

import pytest
from django.conf import settings

from calls.unlock import COOKIE_NAME as NOTEKEY
from tests.calls.conftest import client_for
from tests.factory import PASSWORD

SIGN_IN_COOKIES = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, NOTEKEY)


@pytest.fixture
def signed_in(responder):
    client = client_for(responder, PASSWORD)
    client.get("/home/")  # a page with a form: the CSRF cookie is set
    assert set(SIGN_IN_COOKIES) <= set(client.cookies)
    return client


def test_sign_out_deletes_every_sign_in_cookie(signed_in):
    response = signed_in.post("/accounts/logout/")

    assert response.status_code == 302
    for name in SIGN_IN_COOKIES:
        cookie = response.cookies[name]
        assert cookie.value == "", name
        assert cookie["max-age"] == 0, name
        assert cookie["path"] == "/", name
    # Deleted with the attributes they were set with, so that browsers match them.
    assert response.cookies[NOTEKEY]["samesite"] == "Strict"
    assert response.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"
    assert response.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"
    assert signed_in.get("/home/").status_code == 302


def test_sign_out_clears_the_sites_cache_and_storage_but_not_every_cookie(signed_in):
    response = signed_in.post("/accounts/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_sign_out_deletes_the_cookies_even_when_already_signed_out(client):
    client.cookies[NOTEKEY] = "left over"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.cookies[NOTEKEY]["max-age"] == 0
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_sign_out_needs_post(signed_in):
    assert signed_in.get("/accounts/logout/").status_code == 405
    assert signed_in.get("/home/").status_code == 200
