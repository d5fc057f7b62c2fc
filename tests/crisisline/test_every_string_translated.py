"""Every string a person can read has its Spanish: what the code and templates
mark for translation, and the names the demo line gives positions and skills."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from crisisline.i18n import catalogs
from crisisline.models import Skill
from shifts.models import Position

ROOT = Path(settings.BASE_DIR)
SOURCES = ["crisisline", "shifts", "calls", "protocols", "templates"]
DJANGO = Path(django.__file__).parent


def translated(po_path: Path) -> set[tuple[str, str | None]]:
    return {
        (entry.msgid, entry.msgctxt)
        for entry in polib.pofile(str(po_path))
        if entry.translated() and not entry.obsolete
    }


def translated_anywhere() -> set[tuple[str, str | None]]:
    """Our catalogs, and Django's own Spanish (for strings we borrow from it)."""
    ours = catalogs(ROOT)
    djangos = list(DJANGO.glob("**/locale/es/LC_MESSAGES/django.po"))
    return set().union(*(translated(path) for path in [*ours, *djangos]))


def marked_for_translation(work: Path) -> list[polib.POEntry]:
    """Run makemessages over a copy of the sources (never over the real catalogs)."""
    for name in SOURCES:
        shutil.copytree(
            ROOT / name,
            work / name,
            ignore=shutil.ignore_patterns("__pycache__", "locale", "*.mo", "*.po"),
        )
    shutil.copy(ROOT / "manage.py", work / "manage.py")
    (work / "locale").mkdir()
    environment = {**os.environ, "DEBUG": "true", "DATABASE_URL": "sqlite:///:memory:"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-wrap"],
        cwd=work,
        env=environment,
        check=True,
        capture_output=True,
    )
    return list(polib.pofile(str(work / "locale/es/LC_MESSAGES/django.po")))


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (xgettext)")
def test_every_marked_string_has_spanish(tmp_path):
    have = translated_anywhere()
    marked = marked_for_translation(tmp_path)
    # The extraction really read code and templates of every app, choice labels included.
    found = {entry.msgid for entry in marked}
    assert {"today at %(time)s", "Opens %(when)s", "Crisis: acute", "De-escalation"} <= found
    missing = [
        f"{entry.msgid!r} ({entry.occurrences[0][0]})"
        for entry in marked
        if (entry.msgid, entry.msgctxt) not in have
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.thorough
def test_demo_positions_and_skills_have_spanish_names(db, settings, short_demo_roster):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    positions = list(Position.objects.all())
    skills = list(Skill.objects.all())
    assert positions and skills
    assert [p.name for p in positions if not p.name_es] == []
    assert [s.name for s in skills if not s.name_es] == []


def test_the_same_english_reads_the_same_in_spanish_everywhere():
    """Django merges every catalog into one: a string translated two ways in two
    catalogs shows one of them everywhere, the wrong one somewhere."""
    seen: dict[tuple[str, str | None], dict[str, str]] = {}
    for po_path in catalogs(ROOT):
        for entry in polib.pofile(str(po_path)):
            spanish = entry.msgstr or " | ".join(entry.msgstr_plural.values())
            seen.setdefault((entry.msgid, entry.msgctxt), {})[str(po_path)] = spanish
    differing = {key: ways for key, ways in seen.items() if len(set(ways.values())) > 1}
    assert not differing
