"""The Content-Security-Policy allows no inline script or style: no template may need them.

A page that broke this would still render in tests, and only misbehave in a
browser (a handler that never runs, a layout that never applies).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
# An attribute inside a tag: style="…", onclick="…", htmx's hx-on…="…".
TAG = re.compile(r"<[a-z][^<>]*>", re.I | re.S)
STYLE_ATTRIBUTE = re.compile(r"[\s\"'](style)\s*=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"[\s\"']((?:data-)?(?:hx-on[\w:.-]*|on[a-z]+))\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"=\s*[\"']?\s*javascript:", re.I)


def templates() -> list[Path]:
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    return sorted(f for f in files if ".venv" not in f.parts and "node_modules" not in f.parts)


def inline_code(source: str) -> list[str]:
    """Each inline script, inline style or event handler in a template's source."""
    found = []
    for attributes, body in SCRIPT.findall(source):
        if body.strip():
            found.append(f"inline <script>: {body.strip()[:60]!r}")
        if "src=" not in attributes and not body.strip():
            found.append("a <script> with neither src nor body")
    if STYLE_ELEMENT.search(source):
        found.append("a <style> element")
    for tag in TAG.findall(source):
        found += [f"style= in {tag[:60]!r}" for _ in STYLE_ATTRIBUTE.findall(tag)]
        found += [f"{name}= in {tag[:60]!r}" for name in HANDLER_ATTRIBUTE.findall(tag)]
        if JAVASCRIPT_URL.search(tag):
            found.append(f"javascript: URL in {tag[:60]!r}")
    return found


def test_there_are_templates_to_check():
    names = {path.relative_to(ROOT).as_posix() for path in templates()}
    assert "templates/base.html" in names
    assert "crisisline/templates/crisisline/home.html" in names
    assert any(name.startswith(("shifts/", "calls/", "protocols/")) for name in names)


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script_style_or_handler(path):
    assert inline_code(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<script nonce="x">\n  document.title = "x";\n</script>',
        '<p style="color: red">x</p>',
        "<p class=x style='color: red'>x</p>",
        '<button onclick="go()">x</button>',
        '<body onload="go()">',
        '<form hx-on::after-request="this.reset()">',
        '<a href="javascript:go()">x</a>',
        "<style>p { color: red }</style>",
    ],
)
def test_the_check_itself_finds_inline_code(source):
    assert inline_code(source)


@pytest.mark.parametrize(
    "source",
    [
        "<script src=\"{% static 'vendor/htmx-2.0.11.min.js' %}\" defer></script>",
        '<p class="lead">Stylesheets and one-handed use</p>',
        '<input name="online" data-hx-confirm="Sure?">',
        "<p>Set the onclick style = nothing</p>",
    ],
)
def test_the_check_itself_leaves_ordinary_markup_alone(source):
    assert inline_code(source) == []
