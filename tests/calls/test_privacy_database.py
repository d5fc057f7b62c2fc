"""/privacy/ says what the notes table holds now, and what lingers after a delete,
in both languages."""

from __future__ import annotations

import pytest

CLAIMS = {
    "en": [
        "What the database holds about a note",
        "Everything about a call is sealed together with the text",
        "Every note is padded to the same size",
        "who wrote it, who it is handed to, and the hour at which its key is destroyed",
        "PostgreSQL removes them from its tables (VACUUM)",
        "keeps older copies until it is recycled",
    ],
    "es": [
        "Qué guarda la base de datos de una nota",
        "Todo lo que se sabe de una llamada se sella junto con el texto",
        "Todas las notas se rellenan hasta el mismo tamaño",
        "quién la escribió, a quién se pasó y la hora en que se destruye su clave",
        "PostgreSQL las quita de sus tablas (VACUUM)",
        "guarda copias anteriores hasta que se recicla",
    ],
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_privacy_says_what_the_notes_table_holds(client, db, language):
    client.cookies["django_language"] = language
    html = client.get("/privacy/").content.decode()
    assert f'lang="{language}"' in html
    for claim in CLAIMS[language]:
        assert claim in html, claim


def test_privacy_says_until_when_notes_from_before_keep_their_details_in_clear(client, responder):
    from django.utils import timezone

    from calls.models import CallNote
    from tests.calls.conftest import write_note

    note = write_note(responder)
    assert "notes written before the details" not in client.get("/privacy/").content.decode()
    # As a note written before the details were sealed still holds them.
    CallNote.including_expired.filter(pk=note.pk).update(
        kind="crisis-acute", needs=[], response="phone", police="none", written_at=timezone.now()
    )
    html = client.get("/privacy/").content.decode()
    assert "when the last of them expires, notes written before the details of a call" in html
    client.cookies["django_language"] = "es"
    html = client.get("/privacy/").content.decode()
    assert "cuando caduca la última, las notas escritas antes de que" in html
