"""The emergency wipe says what it destroyed in words, and nothing odd when there was nothing."""

from tests.calls.conftest import write_note

URL = "/notes/wipe/"
PHRASE = {"phrase": "destroy every note"}


def test_an_empty_line_is_told_there_was_nothing_to_destroy(as_coordinator):
    body = as_coordinator.post(URL, PHRASE, follow=True).content.decode()
    assert "There were no notes and no keys: nothing needed destroying." in body
    assert "(0)" not in body


def test_one_note_is_counted_in_the_singular(as_coordinator, responder):
    write_note(responder)
    body = as_coordinator.post(URL, PHRASE, follow=True).content.decode()
    assert "Every note and every key is destroyed: 1 note and 1 key." in body


def test_in_spanish(as_coordinator, responder):
    write_note(responder)
    write_note(responder)
    spanish = {"phrase": "destruir todas las notas"}
    body = as_coordinator.post(URL, spanish, follow=True, HTTP_ACCEPT_LANGUAGE="es").content
    assert "Todas las notas y todas las claves están destruidas: 2 notas y " in body.decode()
