"""The protocols app speaks Spanish: a complete catalog, and Spanish pages for Spanish readers."""

import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

CATALOG = Path(settings.BASE_DIR) / "protocols/locale/es/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_catalog_is_complete_and_placeholders_match():
    po = polib.pofile(str(CATALOG))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po:
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )


def test_spanish_reader_gets_spanish_protocols_and_interface(as_responder):
    call_command("load_starter_protocols")
    html = as_responder.get("/protocols/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Protocolos" in html and "Desescalada" in html
    assert "Desescalada básica" in html
    assert "De-escalation basics" not in html
    html = as_responder.get(
        "/protocols/trees/emergencia-o-crisis/?path=0", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Emergencia — busca ayuda médica ya" in html
    assert "Llegaste aquí porque:" in html
    assert "Empezar de nuevo" in html
