"""A new password ends what other browsers hold: the keyring share of every
other session of that person is destroyed at once, so a copy of such a session
row (a dump, the write-ahead log, the row itself, which Django leaves until it
expires) with that browser's old notekey cookie opens nothing. Controls: before
the change the same copies open the note."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from calls import keyring, unlock
from calls.unlock import COOKIE_NAME
from crisisline.roles import RESPONDER
from crisisline.tokens import password_links
from tests.calls.conftest import client_for, note_form
from tests.calls.test_sealed_seizure import attack, found
from tests.calls.test_sealed_sign_out import _dump_sessions
from tests.factory import PASSWORD, make_person

NEW = "a different passphrase for the line"


def _cookie_secret(client: Client) -> bytes:
    return base64.urlsafe_b64decode(client.cookies[COOKIE_NAME].value.split(".")[0].encode())


def _phone_with_a_note(author) -> Client:
    phone = client_for(author)
    canary = f"CANARY-{uuid.uuid4().hex}"
    phone.post("/notes/new/", note_form(body=f"said {canary}"))
    # Control: the phone's session row, the keyring and its cookie open the note.
    opened = attack([_cookie_secret(phone)])
    assert "a held key" in opened and found([canary], opened) == {canary}
    return phone


@pytest.mark.django_db(transaction=True)
def test_changing_the_password_elsewhere_destroys_the_phones_share(keyring_dir, roles):
    author = make_person("author", RESPONDER)
    phone = _phone_with_a_note(author)
    laptop = client_for(author)
    response = laptop.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302

    assert attack([_cookie_secret(phone)]) == []
    assert keyring.shares() == [laptop.session[unlock.SHARE_FIELD]]


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_destroys_the_share_of_every_session(keyring_dir, roles):
    author = make_person("author", RESPONDER)
    phone = _phone_with_a_note(author)
    author.refresh_from_db()  # the link is made after the phone's sign-in
    link = (
        f"/accounts/reset/{urlsafe_base64_encode(force_bytes(author.pk))}/"
        f"{password_links.make_token(author)}/"
    )
    holder = Client()
    form_url = holder.get(link, follow=True).redirect_chain[-1][0]
    response = holder.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302

    assert attack([_cookie_secret(phone)]) == []
    assert keyring.shares() == []


@pytest.mark.django_db(transaction=True)
def test_the_purge_destroys_shares_of_sessions_a_password_set_elsewhere_ended(keyring_dir, roles):
    """A password set outside the app's own pages (the admin, changepassword)
    sends no signal: the next purge destroys the shares of the sessions it ended."""
    from datetime import timedelta
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command
    from django.utils import timezone

    author = make_person("author", RESPONDER)
    phone = _phone_with_a_note(author)
    kept = client_for(make_person("kept", RESPONDER))
    author.set_password(NEW)
    author.save()
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=2)
    ):
        call_command("purge_expired", stdout=StringIO())

    assert attack([_cookie_secret(phone)]) == []
    assert keyring.shares() == [kept.session[unlock.SHARE_FIELD]]


@pytest.mark.django_db(transaction=True)
def test_deactivating_someone_destroys_their_shares_at_once(keyring_dir, roles):
    """Not only at the next purge: the shares of their sessions go with the sessions."""
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    author = make_person("author", RESPONDER)
    phone = _phone_with_a_note(author)
    kept = client_for(make_person("kept", RESPONDER))
    dump = _dump_sessions()
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=2)
    ):
        author.deactivate()

    assert keyring.shares() == [kept.session[unlock.SHARE_FIELD]]
    Session.objects.filter(session_key__in=[s.session_key for s in dump]).delete()
    Session.objects.bulk_create(dump)  # the phone's row survives in a dump or the WAL
    assert attack([_cookie_secret(phone)]) == []


@pytest.mark.django_db(transaction=True)
def test_the_purge_keeps_the_share_of_a_session_signed_under_a_previous_secret_key(
    keyring_dir, roles, settings
):
    """Django still accepts a session signed under SECRET_KEY_FALLBACKS: so does the purge."""
    from datetime import timedelta
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command
    from django.utils import timezone

    old_secret = settings.SECRET_KEY
    browser = client_for(make_person("author", RESPONDER))
    share = browser.session[unlock.SHARE_FIELD]
    settings.SECRET_KEY = "a new secret key for the line, rotated " + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=2)
    ):
        call_command("purge_expired", stdout=StringIO())
    assert keyring.shares() == [share]

    settings.SECRET_KEY_FALLBACKS = []  # control: once Django refuses it, the share goes
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=2)
    ):
        call_command("purge_expired", stdout=StringIO())
    assert keyring.shares() == []
