"""The care map speaks Spanish: interface, safety words and the resources' own text."""

from __future__ import annotations

from datetime import date

import pytest

from protocols.resource_demo import EXAMPLES, load_examples
from tests.protocols.resource_helpers import make_resource

pytestmark = pytest.mark.django_db


def test_spanish_reader_gets_spanish_cards(as_responder):
    make_resource(
        "shelter",
        summary="Beds for the night.",
        summary_es="Camas para la noche.",
        line_note="Ask for the evening team.",
        line_note_es="Pregunta por el equipo de la tarde.",
        police="never",
        immigration="if-asked",
        id_required="no",
    )
    html = " ".join(
        as_responder.get("/protocols/resources/", HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
        .split()
    )
    assert "<h1>Recursos</h1>" in html
    assert "Camas para la noche." in html and "Beds for the night." not in html
    assert "Pregunta por el equipo de la tarde." in html
    assert "Policía: <strong>Nunca</strong>" in html
    assert "Autoridades migratorias: <strong>Solo si se pide</strong>" in html
    assert "Sin pedir identificación" in html and "Habla español" in html


def test_spanish_detail_page(as_responder):
    resource = make_resource(
        "shelter", needs=("housing", "food"), partner_status="written-agreement"
    )
    html = as_responder.get(resource.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Perfil de seguridad" in html and "Acuerdo por escrito" in html
    assert "Vivienda" in html  # the notes' own Spanish name for the need


def test_demo_examples_are_fictional_and_bilingual():
    assert 8 <= len(EXAMPLES) <= 12
    for example in EXAMPLES:
        assert "(example)" in example["name"]
        assert example["summary_es"] and example["summary_es"] != example["summary"]
        for number in (example.get("phone"), example.get("text_number")):
            assert number is None or number.startswith("+1555555")
    assert load_examples() == len(EXAMPLES)
    assert load_examples() == 0  # never touches what is there


def test_verification_dates_are_written_as_each_language_writes_them(as_responder):
    resource = make_resource("clinic", last_verified=date(2026, 12, 1), review_interval_days=90)
    url = f"/protocols/resources/{resource.slug}/"
    spanish = " ".join(as_responder.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode().split())
    english = " ".join(as_responder.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "1 de diciembre de 2026" in spanish and "2026-12-01" not in spanish
    assert "1 de marzo de 2027" in spanish  # the next check, 90 days on
    assert "1 December 2026" in english and "1 March 2027" in english
