from pathlib import Path

import polib
import pytest
from django.conf import settings

from crisisline.i18n import catalogs, compile_catalogs

ROOT = Path(settings.BASE_DIR)


def test_there_are_spanish_catalogs():
    names = {str(p.relative_to(ROOT)) for p in catalogs(ROOT)}
    assert "locale/es/LC_MESSAGES/django.po" in names
    assert "crisisline/locale/es/LC_MESSAGES/django.po" in names


@pytest.mark.parametrize("po_path", catalogs(ROOT), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated(po_path):
    catalog = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert not untranslated, untranslated[:5]
    assert not fuzzy, fuzzy[:5]


def test_compiling_writes_mo_files_without_gnu_gettext(tmp_path):
    target = tmp_path / "app" / "locale" / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Sign in", msgstr="Iniciar sesión"))
    po.save(str(target / "django.po"))
    assert compile_catalogs(tmp_path) == [target / "django.mo"]
    assert polib.mofile(str(target / "django.mo")).find("Sign in").msgstr == "Iniciar sesión"
    assert compile_catalogs(tmp_path) == []  # up to date: nothing rewritten


def test_language_switcher_remembers_the_choice(client, db):
    response = client.post("/language/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="es">' in body
    assert "Iniciar sesión" in body
    assert "Qué atendemos" in body


def test_browser_language_is_honoured(client, db):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert "Iniciar sesión" in body
