"""The line's languages: names kept in two languages, each person's own language,
and compiling the gettext catalogs with pure Python (no GNU gettext needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.db.models import F, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

SKIP = {".venv", ".tools", "node_modules", "var", ".git"}


def catalogs(base: Path) -> list[Path]:
    return sorted(
        po
        for po in base.glob("**/locale/*/LC_MESSAGES/*.po")
        if not SKIP.intersection(po.relative_to(base).parts)
    )


def compile_catalogs(base: Path) -> list[Path]:
    """Write a .mo beside every .po that is newer than it; return what was written."""
    written = []
    for po_path in catalogs(base):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def reading_spanish() -> bool:
    return (get_language() or "").split("-")[0] == "es"


def in_reading_language(english: str, spanish: str) -> str:
    """The Spanish name for people reading in Spanish, when there is one."""
    return spanish if spanish and reading_spanish() else english


def name_in_reading_language(path: str) -> Combinable:
    """`path`'s name (a Position or Skill: `name`, `name_es`) as a query expression,
    for pages that read names with values_list: Spanish when set and read in Spanish."""
    if reading_spanish():
        return Coalesce(NullIf(F(f"{path}__name_es"), Value("")), F(f"{path}__name"))
    return F(f"{path}__name")


def language_of(person: Any) -> str:
    """The language `person` reads emails in: their own choice, else the line's."""
    chosen = getattr(person, "language", "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
