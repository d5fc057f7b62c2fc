"""A form refused for its CSRF token (sent from a page opened before a sign-in or
sign-out, say) gets a page in the site's words and the reader's language, changes
nothing, and leads back to the page it came from."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from calls.models import CallNote
from tests.calls.conftest import note_form
from tests.factory import PASSWORD

STALE = "a" * 32  # a well-formed CSRF secret that the page's token was not made from


def token_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_stale_sign_in_form_is_refused_in_plain_words_and_signs_no_one_in(responder):
    client = Client(enforce_csrf_checks=True)
    token = token_of(client.get("/accounts/login/").content.decode())
    client.cookies[settings.CSRF_COOKIE_NAME] = STALE  # another tab signed in and out

    response = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": responder.username, "password": PASSWORD},
        HTTP_REFERER="http://testserver/accounts/login/",
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>This could not be sent</h1>" in html
    assert "Nothing was saved." in html
    assert "go back and copy it first" in html
    assert '<a href="http://testserver/accounts/login/">Open the page again</a>' in html
    assert "cookies" not in html.split("<main", 1)[1]  # the cookie was there
    assert "_auth_user_id" not in client.session


def test_a_stale_note_is_refused_and_nothing_is_written(responder):
    from tests.calls.conftest import client_for

    client = client_for(responder)
    client.handler.enforce_csrf_checks = True
    token = token_of(client.get("/notes/new/").content.decode())
    client.cookies[settings.CSRF_COOKIE_NAME] = STALE

    response = client.post("/notes/new/", {**note_form(), "csrfmiddlewaretoken": token})

    assert response.status_code == 403
    assert "This could not be sent" in response.content.decode()
    assert not CallNote.objects.exists()


def test_in_spanish_with_the_cookie_advice_when_no_cookie_came(db):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = client.post("/accounts/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "<h1>No se pudo enviar</h1>" in html
    assert "permite las cookies de este sitio" in html
    assert "Ir a la página de inicio" in html  # no page to go back to


@pytest.mark.parametrize(
    "referer",
    [
        "https://elsewhere.example/form",
        "//elsewhere.example/form",
        "http://testserver@elsewhere.example/form",
        "javascript:alert(1)",
    ],
)
def test_a_page_of_another_site_is_never_offered_as_the_way_back(db, referer):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {}, HTTP_REFERER=referer)

    html = response.content.decode()
    assert "elsewhere.example" not in html and "alert(1)" not in html
    assert '<a href="/">Go to the start page</a>' in html


def test_the_way_back_is_written_as_text_not_markup(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/accounts/login/", {}, HTTP_REFERER='http://testserver/roster/?q="><b>x</b>'
    )

    html = response.content.decode()
    assert '<a href="http://testserver/roster/?q=&quot;&gt;&lt;b&gt;x&lt;/b&gt;">' in html
    assert "<b>x</b>" not in html


def test_sent_without_leaving_the_page_it_says_the_text_is_still_there(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "What you typed is still on the page" in html
    assert "allow cookies for this site" in html  # none came
    assert "go back and copy it first" not in html
