"""Templates read like code: no line runs past 120 characters.

A long tag breaks one attribute a line, a long sentence goes into a trimmed
blocktranslate, and a repeated block becomes a partial.
"""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LONGEST = 120


def templates() -> list[Path]:
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    return sorted(f for f in files if ".venv" not in f.parts and "node_modules" not in f.parts)


def test_every_app_has_templates_to_check():
    apps = {f.relative_to(ROOT).parts[0] for f in templates()}
    assert {"templates", "crisisline", "shifts", "calls", "protocols"} <= apps


def test_no_template_line_is_over_120_characters():
    too_long = [
        f"{path.relative_to(ROOT)}:{number}: {len(line)} characters"
        for path in templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > LONGEST
    ]
    assert too_long == []
