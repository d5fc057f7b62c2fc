"""Templates people can read: no line in any template runs past 120 characters."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

LIMIT = 120
ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", ".git"}


def template_files() -> list[Path]:
    folders = [
        path
        for path in ROOT.rglob("templates")
        if path.is_dir() and not SKIP.intersection(path.relative_to(ROOT).parts)
    ]
    return sorted(file for folder in folders for file in folder.rglob("*") if file.is_file())


def test_the_project_has_templates_to_check() -> None:
    names = {file.relative_to(ROOT).as_posix() for file in template_files()}
    assert "templates/base.html" in names
    assert any(name.startswith("calls/templates/") for name in names)


def test_no_template_line_is_longer_than_120_characters() -> None:
    too_long = [
        f"{file.relative_to(ROOT)}:{number}: {len(line)} characters"
        for file in template_files()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > LIMIT
    ]
    assert not too_long, "Template lines over 120 characters:\n" + "\n".join(too_long)
