"""No byte the browser loads may come from, or point to, another host."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
URL = re.compile(rb"(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})", re.I)
# Names that appear in vendored code or markup without being loaded: XML
# namespaces, and the example hosts of documentation.
ALLOWED = {b"www.w3.org", b"example.org", b"example.com"}


def template_and_static_files() -> list[Path]:
    files = [
        *ROOT.glob("templates/**/*"),
        *ROOT.glob("static/**/*"),
        *ROOT.glob("*/templates/**/*"),
    ]
    return [f for f in files if f.is_file() and ".venv" not in f.parts]


def foreign_hosts(content: bytes) -> set[bytes]:
    return {host.lower() for host in URL.findall(content)} - ALLOWED


def test_there_are_files_to_check():
    names = {f.name for f in template_and_static_files()}
    assert {"base.html", "crisisline.css", "htmx-2.0.11.min.js"} <= names


@pytest.mark.parametrize(
    "path", template_and_static_files(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_template_or_static_file_names_another_host(path):
    assert not foreign_hosts(path.read_bytes())


def test_the_check_itself_catches_a_foreign_host():
    assert foreign_hosts(b'<script src="https://cdn.example.net/x.js">') == {b"cdn.example.net"}
    assert foreign_hosts(b"@import url(//fonts.googleapis.com/css)") == {b"fonts.googleapis.com"}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-such-page/"])
def test_rendered_public_pages_name_no_other_host(client, db, path):
    assert not foreign_hosts(client.get(path).content)


def test_rendered_signed_in_pages_name_no_other_host(as_coordinator):
    for path in ("/home/", "/people/", "/profile/", "/line/"):
        assert not foreign_hosts(as_coordinator.get(path).content), path
