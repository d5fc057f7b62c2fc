"""After sign-out, a copy of the session row (a dump taken while signed in, or
the row still in SQLite's write-ahead log) together with the old notekey cookie
opens nothing: the third share of the held key lived in the keyring and was
destroyed at sign-out. Controls: before sign-out the same copies open the note."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from calls import keyring, unlock
from calls.unlock import COOKIE_NAME
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, note_form
from tests.calls.test_sealed_seizure import attack, found
from tests.factory import PASSWORD, make_person


def _cookie_secret(cookie: str) -> bytes:
    """The secret part of the notekey cookie, as an attacker would cut it out."""
    return base64.urlsafe_b64decode(cookie.split(".")[0].encode())


def _dump_sessions() -> list[Session]:
    return [
        Session(session_key=s.session_key, session_data=s.session_data, expire_date=s.expire_date)
        for s in Session.objects.all()
    ]


@pytest.mark.django_db(transaction=True)
def test_old_session_row_and_old_cookie_open_nothing_after_sign_out(keyring_dir, roles):
    author = make_person("author", RESPONDER)
    canary = f"CANARY-{uuid.uuid4().hex}"
    browser = client_for(author)
    path = browser.post("/notes/new/", note_form(body=f"said {canary}"))["Location"]
    assert canary in browser.get(path).content.decode()
    cookie = browser.cookies[COOKIE_NAME].value
    session_cookie = browser.cookies["sessionid"].value
    dump = _dump_sessions()

    # Control: while signed in, the session row, the keyring and the cookie open the note.
    opened = attack([_cookie_secret(cookie)])
    assert "a held key" in opened and found([canary], opened) == {canary}

    browser.post("/accounts/logout/")
    assert COOKIE_NAME not in {n for n, c in browser.cookies.items() if c.value}
    Session.objects.bulk_create(dump)  # the row survives in a dump or the WAL

    assert attack([_cookie_secret(cookie)]) == []
    # Nor does the app itself open it for a browser given both back.
    replayed = Client()
    replayed.cookies["sessionid"] = session_cookie
    replayed.cookies[COOKIE_NAME] = cookie
    page = replayed.get(path)
    assert canary not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_cookie_is_bound_to_its_session(keyring_dir, roles):
    author = make_person("author", RESPONDER)
    canary = f"CANARY-{uuid.uuid4().hex}"
    phone, laptop = client_for(author), client_for(author)
    path = phone.post("/notes/new/", note_form(body=f"said {canary}"))["Location"]
    assert canary in laptop.get(path).content.decode()  # control

    # The phone's notekey cookie in the laptop's session opens nothing there.
    laptop.cookies[COOKIE_NAME] = phone.cookies[COOKIE_NAME].value
    assert canary not in laptop.get(path, follow=True).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_new_password_replaces_the_keyring_share(keyring_dir, roles):
    author = make_person("author", RESPONDER)
    browser = client_for(author)
    first = browser.session[unlock.SHARE_FIELD]
    assert keyring.read_share(first) is not None
    new = "a different passphrase for the line"
    browser.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    second = browser.session[unlock.SHARE_FIELD]
    assert second != first
    assert keyring.read_share(first) is None
    assert keyring.shares() == [second]


@pytest.mark.django_db(transaction=True)
def test_signing_in_again_in_the_same_browser_replaces_the_share(keyring_dir, roles):
    """A sign-in over an earlier session (e.g. after the notes were locked) keeps
    no share of the earlier one."""
    author = make_person("author", RESPONDER)
    browser = client_for(author)
    first = browser.session[unlock.SHARE_FIELD]
    browser.logout()  # Django's own logout (the admin's, the test client's)
    assert keyring.read_share(first) is None
    client_for_again = browser.post(
        "/accounts/login/", {"username": "author", "password": PASSWORD}
    )
    assert client_for_again.status_code == 302
    assert keyring.shares() == [browser.session[unlock.SHARE_FIELD]]


@pytest.mark.django_db(transaction=True)
def test_sign_out_destroys_the_share(keyring_dir, roles):
    browser = client_for(make_person("author", RESPONDER))
    share = browser.session[unlock.SHARE_FIELD]
    browser.post("/accounts/logout/")
    assert keyring.read_share(share) is None
    assert keyring.shares() == []


@pytest.mark.django_db(transaction=True)
def test_the_purge_destroys_shares_of_sessions_that_ended_without_sign_out(keyring_dir, roles):
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command
    from django.utils import timezone

    kept = client_for(make_person("kept", RESPONDER))
    gone_person = make_person("gone", RESPONDER)
    gone = client_for(gone_person)
    gone_share = gone.session[unlock.SHARE_FIELD]
    gone_person.deactivate()  # deletes the session rows, no sign-out
    out = StringIO()
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=2)
    ):
        call_command("purge_expired", stdout=out)
    assert "destroyed 1 share(s) of ended sessions" in out.getvalue()
    assert keyring.read_share(gone_share) is None
    assert keyring.shares() == [kept.session[unlock.SHARE_FIELD]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cookie", ["é.é", "", ".", "AAAA.", "not base64!.x" + "0" * 63])
def test_a_mangled_cookie_locks_the_notes_and_asks_to_sign_in_again(keyring_dir, roles, cookie):
    author = make_person("author", RESPONDER)
    browser = client_for(author)
    path = browser.post("/notes/new/", note_form(body="said CANARY-x"))["Location"]
    browser.cookies[COOKIE_NAME] = cookie
    response = browser.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert keyring.shares() == []  # signed out: the share is gone too
