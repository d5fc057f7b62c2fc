"""No byte the browser loads may come from, or point to, another host."""

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from protocols.markdown import clean_html, render
from tests.test_permission_matrix import EXPECTED
from tests.world import PERSONAS, World, clients

ROOT = Path(settings.BASE_DIR)
URL = re.compile(
    rb"(?:https?:)?//("
    rb"\[[0-9a-f:.]+\]"  # an IPv6 address
    rb"|\d{1,3}(?:\.\d{1,3}){3}"  # an IPv4 address
    rb"|[a-z0-9.-]+\.[a-z]{2,}"  # a host name
    rb")",
    re.I,
)
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
    assert foreign_hosts(b'<img src="http://203.0.113.9/p.gif">') == {b"203.0.113.9"}
    assert foreign_hosts(b'<img src="//[2001:db8::1]/p.gif">') == {b"[2001:db8::1]"}


# --- Every page, as every visitor ---------------------------------------------------------------

# What the world's trainer writes: a link to a shelter elsewhere (content, loaded
# only if someone follows it) and an image from elsewhere (a load: it must go).
TRAINER_LINK = "https://shelter.example.net/beds"
TRAINER_IMAGE = "https://pixel.example.net/track.png"
TRAINER_HOSTS = {b"shelter.example.net", b"pixel.example.net"}
TRAINER_BODY = (
    f"# Breathe\n\nIf they need a bed: [the shelter]({TRAINER_LINK}).\n\n"
    f"![map]({TRAINER_IMAGE}) ![our map](/static/favicon.svg)\n"
)

# Attributes whose URL the browser fetches by itself (or submits to), without a click.
LOADING_ATTRIBUTES = {
    "src",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "background",
    "ping",
    "manifest",
    "style",
    "xlink:href",
}


class References(HTMLParser):
    """Foreign hosts named in an HTML page: in what the browser loads, and elsewhere."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: set[bytes] = set()
        self.mentions: set[bytes] = set()
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            hosts = foreign_hosts((value or "").encode())
            loads = (
                name in LOADING_ATTRIBUTES
                or name.startswith("on")
                or (tag in {"link", "base"} and name == "href")
                or (tag == "meta" and name == "content")
            )
            (self.loads if loads else self.mentions).update(hosts)

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.mentions.update(foreign_hosts(data.encode()))


def finish_world(world: World) -> None:
    """The world's trainer links elsewhere (tests/conftest.py builds the world)."""
    world.page.add_revision(
        author=world.people["trainer"], body=TRAINER_BODY, summary="Shelter link"
    )


def text_of(response) -> list[bytes]:
    """The files a response holds: itself, or each member of a zip."""
    if response["Content-Type"].startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return [archive.read(name) for name in archive.namelist()]
    return [response.content]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_no_page_loads_anything_from_another_host(key: str, world: World) -> None:
    expect = EXPECTED[key]
    url = reverse(key.split("[")[0], kwargs=expect.kwargs(world)) + expect.query
    by_persona = clients(world)
    for persona in PERSONAS:
        response = by_persona[persona].get(url)
        for content in text_of(response):
            if response["Content-Type"].startswith("text/html"):
                found = References(content.decode())
                loads, mentions = found.loads, found.mentions
            else:
                loads, mentions = set(), foreign_hosts(content)
            where = f"{key} ({url}) as {persona}"
            assert not loads, f"{where} loads from {loads}"
            # Only what a trainer wrote may name another host: as a link, or as
            # their own text on the edit form and in the history.
            assert not mentions - TRAINER_HOSTS, f"{where} names {mentions - TRAINER_HOSTS}"


def test_a_trainers_link_elsewhere_stays_and_their_image_from_elsewhere_goes(world):
    trainer = clients(world)["trainer"]
    html = trainer.get(reverse("protocols:page", kwargs={"slug": "breathing"})).content.decode()
    assert f'href="{TRAINER_LINK}"' in html
    assert 'src="/static/favicon.svg"' in html
    assert "pixel.example.net" not in html


def test_the_page_check_itself_tells_loads_from_links():
    found = References(
        '<a href="https://shelter.example.net/">x</a><img src="//pixel.example.net/p.gif">'
        '<link rel="stylesheet" href="https://cdn.example.net/x.css">'
        "<p>see https://shelter.example.net/</p>"
    )
    assert found.loads == {b"pixel.example.net", b"cdn.example.net"}
    assert found.mentions == {b"shelter.example.net"}


# --- Images in protocols: this server's own paths only ----------------------------------------


class Images(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources += [value or "" for name, value in attrs if name == "src"]


def image_sources(html: str) -> list[str]:
    return Images(html).sources


def host_a_browser_fetches(src: str) -> str:
    """The host an image on https://line.example.org/protocols/x/ is fetched from,
    reading the URL as browsers do (tabs and newlines dropped, \\ taken for /)."""
    cleaned = re.sub(r"[\t\n\r]", "", src).strip(" \x00").replace("\\", "/")
    return urlsplit(urljoin("https://line.example.org/protocols/x/", cleaned)).hostname or ""


@pytest.mark.parametrize(
    "source",
    [
        "![x](https://pixel.example.net/p.png)",
        "![x](//pixel.example.net/p.png)",
        "![x](http://203.0.113.9/p.png)",
        "![x](/\\pixel.example.net/p.png)",
        "![x](<\\\\pixel.example.net/p.png>)",
        "![x](p.png)",
        "![x](data:image/png;base64,AAAA)",
        '<img src="https://pixel.example.net/p.png">',
    ],
)
def test_a_protocol_image_from_another_host_is_dropped(source):
    for src in image_sources(str(render(source))):
        assert host_a_browser_fetches(src) == "line.example.org", src


@pytest.mark.parametrize(
    "html",
    [
        '<img src="//pixel.example.net/p.png">',
        '<img src="/\\pixel.example.net/p.png">',
        # Browsers drop tabs and newlines from URLs: these are "//pixel…".
        '<img src="/\t/pixel.example.net/p.png">',
        '<img src="/&#9;/pixel.example.net/p.png">',
        '<img src="/&#10;/pixel.example.net/p.png">',
        '<img src="/&#13;/pixel.example.net/p.png">',
        '<img src=" //pixel.example.net/p.png">',
        # Relative to https, but another host when the page is served over http.
        '<img src="https:pixel.example.net/p.png">',
    ],
)
def test_the_sanitiser_alone_drops_images_that_a_browser_would_fetch_elsewhere(html):
    assert image_sources(clean_html(html)) == []


def test_images_on_this_server_and_links_elsewhere_are_kept():
    html = str(render("![map](/static/map.png) [shelter](https://shelter.example.net/beds)"))
    assert '<img src="/static/map.png" alt="map">' in html
    assert 'href="https://shelter.example.net/beds"' in html
