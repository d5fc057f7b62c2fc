"""A sealed note opens only in its reader's own signed-in session, with that
session's own note key cookie; anything else asks to sign in again and changes nothing."""

from __future__ import annotations

import base64

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from calls import keyring
from calls.models import CallNote, NoteKeys, NoteSeal, Tally
from calls.unlock import COOKIE_NAME, SESSION_FIELD
from crisisline.roles import RESPONDER
from tests.calls.conftest import (
    as_written_before_sealing,
    client_for,
    give_keys,
    later,
    note_form,
    read_body,
    write_note,
)
from tests.factory import make_person

BODY = "sealed-canary-2718: lift to the clinic on Thursday"


@pytest.fixture
def teammate(db):
    return make_person("mate", RESPONDER, display_name="Mate Teammate")


@pytest.fixture
def note(responder, teammate):
    give_keys(teammate)
    return write_note(responder, BODY, follow_up_to=teammate, follow_up_by=later(days=2).date())


def url(note: CallNote) -> str:
    return f"/notes/{note.public_id}/"


def opens(client: Client, note: CallNote) -> bool:
    return BODY in client.get(url(note)).content.decode()


def snapshot() -> tuple:
    return (
        list(CallNote.including_expired.values()),
        list(NoteSeal.objects.values()),
        list(NoteKeys.objects.values()),
        list(Tally.objects.values()),
    )


def asked_to_sign_in_again(response, note: CallNote) -> bool:
    return (
        response.status_code == 302
        and response["Location"].startswith("/accounts/login/?next=")
        and note.public_id in response["Location"]
        and BODY not in response.content.decode()
    )


def test_writing_needs_no_private_key_and_stores_no_plaintext(note, responder, teammate):
    assert not Session.objects.exists()  # nobody was signed in to write it
    assert note.sealed and BODY.encode() not in bytes(note.body_ciphertext)
    seals = {seal.recipient_id: seal for seal in NoteSeal.objects.filter(note=note)}
    assert set(seals) == {responder.pk, teammate.pk}
    for person in (responder, teammate):
        assert bytes(seals[person.pk].public_key) == bytes(person.note_keys.public_key)
        assert read_body(note, person) == BODY
    # The bucket key alone no longer gives the body (the old, server-only path).
    with pytest.raises(keyring.Unreadable):
        note.legacy_body()


def test_author_and_teammate_open_it_each_in_their_own_session(note, responder, teammate):
    assert opens(client_for(responder), note)
    assert opens(client_for(teammate), note)


def test_nobody_else_opens_it(note, coordinator):
    other = make_person("other", RESPONDER)
    for person in (other, coordinator):
        response = client_for(person).get(url(note))
        assert response.status_code == 404 and BODY not in response.content.decode()


def test_a_stolen_session_cookie_without_the_note_key_opens_nothing(note, responder):
    victim = client_for(responder)
    before = snapshot()
    thief = Client()
    thief.cookies["sessionid"] = victim.cookies["sessionid"].value
    response = thief.get(url(note))
    assert asked_to_sign_in_again(response, note)
    # Signing in again is all it takes for the owner; nothing was lost.
    assert snapshot() == before
    assert opens(client_for(responder), note)


def test_the_note_key_cookie_of_another_person_opens_nothing(note, responder, teammate):
    author, mate = client_for(responder), client_for(teammate)
    mixed = Client()
    mixed.cookies["sessionid"] = author.cookies["sessionid"].value
    mixed.cookies[COOKIE_NAME] = mate.cookies[COOKIE_NAME].value
    assert asked_to_sign_in_again(mixed.get(url(note)), note)
    # Nor the teammate's session with the author's cookie.
    mixed = Client()
    mixed.cookies["sessionid"] = mate.cookies["sessionid"].value
    mixed.cookies[COOKIE_NAME] = author.cookies[COOKIE_NAME].value
    assert asked_to_sign_in_again(mixed.get(url(note)), note)


def test_the_same_persons_other_session_cookie_opens_nothing(note, responder):
    phone, laptop = client_for(responder), client_for(responder)
    mixed = Client()
    mixed.cookies["sessionid"] = phone.cookies["sessionid"].value
    mixed.cookies[COOKIE_NAME] = laptop.cookies[COOKIE_NAME].value
    assert asked_to_sign_in_again(mixed.get(url(note)), note)
    assert opens(laptop, note)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda value: "",
        lambda value: "not base64 at all!",
        lambda value: base64.urlsafe_b64encode(b"\0" * 32).decode(),
        lambda value: value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB"),
    ],
)
def test_a_missing_or_tampered_note_key_cookie_asks_to_sign_in_again(note, responder, tamper):
    client = client_for(responder)
    client.cookies[COOKIE_NAME] = tamper(client.cookies[COOKIE_NAME].value)
    before = snapshot()
    response = client.get(url(note))
    assert asked_to_sign_in_again(response, note)
    page = client.get(response["Location"])
    assert "Sign in again to open them; nothing was lost." in page.content.decode()
    assert snapshot() == before


def test_a_tampered_session_secret_asks_to_sign_in_again(note, responder):
    client = client_for(responder)
    session = client.session
    held = bytearray(base64.b64decode(session[SESSION_FIELD]))
    held[-1] ^= 1
    session[SESSION_FIELD] = base64.b64encode(bytes(held)).decode()
    session.save()
    before = snapshot()
    assert asked_to_sign_in_again(client.get(url(note)), note)
    assert snapshot() == before
    assert opens(client_for(responder), note)


def test_a_session_without_its_secret_asks_to_sign_in_again(note, responder):
    client = Client()
    client.force_login(responder)  # a session that never saw the password
    assert asked_to_sign_in_again(client.get(url(note)), note)


def test_sign_out_ends_the_unlocked_key(note, responder):
    client = client_for(responder)
    notekey = client.cookies[COOKIE_NAME].value
    client.post("/accounts/logout/")
    assert not Session.objects.exists()
    again = Client()
    again.cookies[COOKIE_NAME] = notekey
    response = again.get(url(note))
    assert response.status_code == 302 and BODY not in response.content.decode()


def test_handing_off_to_a_teammate_without_a_key_pair_is_refused(responder):
    newcomer = make_person("new", RESPONDER, display_name="Nia Newcomer")
    client = client_for(responder)
    before = snapshot()
    response = client.post(
        "/notes/new/",
        note_form(
            body="for the newcomer",
            follow_up_to=str(newcomer.pk),
            follow_up_by=later(days=1).date().isoformat(),
        ),
    )
    assert response.status_code == 200
    assert "Nia Newcomer has not signed in since notes were sealed" in response.content.decode()
    assert snapshot() == before
    # Once they have signed in, the hand-off works.
    client_for(newcomer)
    response = client.post(
        "/notes/new/",
        note_form(
            body="for the newcomer",
            follow_up_to=str(newcomer.pk),
            follow_up_by=later(days=1).date().isoformat(),
        ),
    )
    assert response.status_code == 302


def test_a_writer_without_a_key_pair_is_asked_to_sign_in_first(responder):
    client = Client()
    client.force_login(responder)  # signed in before notes were sealed
    response = client.get("/notes/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(responder)
    response = client.post("/notes/new/", note_form(body="no key yet"))
    assert response.status_code == 200
    assert "Your note key is not ready" in response.content.decode()
    assert not CallNote.including_expired.exists()


def test_a_note_from_before_sealing_is_sealed_when_its_reader_signs_in(responder, client):
    give_keys(responder)
    note = write_note(responder, "written before sealing")
    as_written_before_sealing(note, "written before sealing")
    html = client.get("/privacy/").content.decode()
    assert "Notes written before sealing began are sealed as soon as everyone" in html
    assert "written before sealing" in client_for(responder).get(url(note)).content.decode()
    note.refresh_from_db()
    assert note.sealed and NoteSeal.objects.filter(note=note, recipient=responder).exists()
    with pytest.raises(keyring.Unreadable):
        note.legacy_body()
    html = client.get("/privacy/").content.decode()
    assert "Notes written before sealing began" not in html


def test_burn_wipe_and_purge_take_the_sealed_copies_with_them(note, responder, as_coordinator):
    from calls.purge import purge_expired

    assert NoteSeal.objects.count() == 2
    assert client_for(responder).post(f"{url(note)}burn/").status_code == 302
    assert not NoteSeal.objects.exists()
    write_note(responder, "wiped")
    as_coordinator.post("/notes/wipe/", {"phrase": "destroy every note"})
    assert not NoteSeal.objects.exists() and not CallNote.including_expired.exists()
    write_note(responder, "purged", keep_hours=1)
    assert purge_expired(later(hours=3)).notes == 1
    assert not NoteSeal.objects.exists()
