from __future__ import annotations

import pytest

from calls.models import RetentionPolicy

URL = "/privacy/"


def test_public_page_in_english_from_the_live_settings(client, db, settings):
    settings.NOTE_RETENTION_MAX_DAYS = 14
    RetentionPolicy.objects.create(pk=1, default_hours=48, statement="We never call 911 for you.")
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "A note is destroyed 48 hours after it is written." in html
    assert "never longer than 14 days" in html
    for words in (
        "Crisis: acute",  # the fields a note has
        "Harm reduction",
        "Arrived unsolicited",
        "at most 1000 characters",
        "Only the teammate who wrote it",  # who reads
        "encrypted",
        "its key is destroyed",
        "anonymous weekly counts",  # what survives
        "No trackers",
        "does not record addresses",  # the server log
        "We never call 911 for you.",  # the line's own statement
    ):
        assert words in html, words


def test_public_page_in_spanish(client, db):
    RetentionPolicy.objects.create(
        pk=1, default_hours=72, statement="English only.", statement_es="Nunca llamamos al 911."
    )
    client.cookies["django_language"] = "es"
    html = client.get(URL).content.decode()
    assert 'lang="es"' in html
    assert "Qué guardamos" in html
    assert "72 horas" in html
    assert "Nunca llamamos al 911." in html and "English only." not in html
    assert "Crisis: aguda" in html


def test_linked_from_home_and_footer(client, db):
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_says_what_signing_out_deletes(client, db):
    html = client.get(URL).content.decode()
    assert "destroyed when you sign out" in html
    assert "the session, the form protection and the notekey cookie" in html
    spanish = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "cuando cierras sesión" in spanish


def test_the_device_cookie_and_failed_sign_ins_are_named_in_both_languages(client, db):
    page = client.get("/privacy/").content.decode()
    assert '"device" cookie for 90 days' in page
    assert "within a minute of being 15 minutes old" in page
    client.post("/language/", {"language": "es", "next": "/"})
    page = client.get("/privacy/").content.decode()
    assert "«device» durante 90" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "one sealed list of the notes handed to them"),
        ("es", "una lista sellada de las notas que se le pasaron"),
    ],
)
def test_privacy_names_the_follow_up_queue_index(client, db, language, words):
    client.cookies["django_language"] = language
    assert words in client.get("/privacy/").content.decode()
