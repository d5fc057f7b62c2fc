"""Likely identifiers in a note body: addresses, web addresses and handles, in English
and Spanish, found; ordinary crisis-note sentences (times, dates, durations) left alone."""

from __future__ import annotations

import pytest

from calls.identifiers import find_identifiers


def kinds(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.text) for finding in find_identifiers(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("she lives at 1234 Elm Street now", "1234 Elm Street"),
        ("12 N. Main St", "12 N. Main St"),
        ("meet at 45 Oak Ave.", "45 Oak Ave"),
        ("1600 pennsylvania ave", "1600 pennsylvania ave"),
        ("apt 4B", "apt 4B"),
        ("apt. #12", "apt. #12"),
        ("vive en Calle Mayor 12, 3º", "Calle Mayor 12"),
        ("calle Mayor, 12", "calle Mayor, 12"),
        ("C/ Mayor 12", "C/ Mayor 12"),
        ("Avenida de la Paz 45", "Avenida de la Paz 45"),
        ("Av. Juárez 100", "Av. Juárez 100"),
        ("Avda. de América nº 3", "Avda. de América nº 3"),
        ("Paseo de la Reforma 222", "Paseo de la Reforma 222"),
        ("calle 5 de mayo 123", "calle 5 de mayo 123"),
        ("depto 5", "depto 5"),
    ],
)
def test_street_addresses_are_found(text, found):
    assert kinds(text) == [("address", found)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see example.org/x for the form", "example.org/x"),
        ("https://foo.bar/baz", "https://foo.bar/baz"),
        ("www.example.com", "www.example.com"),
        ("instagram.com/sam_r", "instagram.com/sam_r"),
        ("su página es ejemplo.mx/ayuda", "ejemplo.mx/ayuda"),
    ],
)
def test_web_addresses_are_found(text, found):
    assert kinds(text) == [("url", found)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("@sam_r", "@sam_r"),
        ("DM @sam_r on insta", "@sam_r"),
        ("tiktok @sam.r", "@sam.r"),
        ("escríbele a @maria_22", "@maria_22"),
        ("@2pac_fan", "@2pac_fan"),
    ],
)
def test_social_handles_are_found(text, found):
    assert kinds(text) == [("handle", found)]


@pytest.mark.parametrize(
    "text",
    [
        "call back at 19:30",
        "from 19:30 to 21:00",
        "de 19.30 a 21.30",
        "19.30-21.30",
        "a las 19:30 h",
        "stayed 24h, then 48h",
        "talked for 2h",
        "met @ 5pm",
        "see you @5pm",
        "at 5pm @ home",
        "back @10",
        "on 2026-03-04 at 19:30",
        "on 3/4/2026",
        "el 12.03.2026",
        "el 12-03-2026",
        "el 12/03",
        "feels 10/10 anxious",
        "called 911 at 1:00",
        "called 3 times this way",
        "took 3 buses all the way",
        "walked 2 blocks down the road",
        "2 hours on the way",
        "1 way or another",
        "2 dr visits, saw the dr 2 times",
        "gave 3 St. John's wort capsules",
        "apartment in town",
        "vive en la calle",
        "en la calle a las 5",
        "is 34 years old, score 3.5/10",
        "talked about mom@home",
    ],
)
def test_ordinary_sentences_are_not_flagged(text):
    assert kinds(text) == []


def test_several_kinds_in_one_note_each_once_in_order():
    text = "At 19:30 @sam_r said 1234 Elm Street; again 1234 Elm Street. See example.org/x"
    assert kinds(text) == [
        ("handle", "@sam_r"),
        ("address", "1234 Elm Street"),
        ("url", "example.org/x"),
    ]


@pytest.mark.parametrize(
    "text",
    ["call 06.12.34.56.78 later", "612.34.56.78", "+34 612 34 56 78", "(555) 010-0199"],
)
def test_phone_numbers_with_dots_are_not_taken_for_dates_or_times(text):
    assert [kind for kind, _text in kinds(text)] == ["phone"]
