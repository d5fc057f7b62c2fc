"""Compile the project's gettext catalogs with pure Python (no GNU gettext needed)."""

from __future__ import annotations

from pathlib import Path

import polib

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
