"""On a phone with no signal: protocols and whole decision trees read from the
copy kept after sign-in; notes never kept; sign-out leaves nothing behind."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from crisisline import offline
from tests.browser.conftest import sign_in
from tests.browser.journeys import restore_roles
from tests.factory import PASSWORD, make_person

CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(request.url);
  }
  return urls;
}"""

CACHED_TEXT = """async () => {
  let text = "";
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) text += await (await cache.match(request)).text();
  }
  return text;
}"""


def _eventually(page, script: str, arg: object = None, seconds: float = 60) -> None:
    """Poll a script until it is true (wait_for_function would evaluate a string,
    which the page's policy forbids)."""
    for _ in range(int(seconds * 4)):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(250)
    state = page.evaluate(
        "async () => JSON.stringify([!!navigator.serviceWorker.controller, "
        "(await navigator.serviceWorker.getRegistrations()).map(r => r.active && r.active.state), "
        "(await caches.keys()).length])"
    )
    raise AssertionError(f"never true: {script} ({state})")


KEPT = """async (path) => {
  for (const name of await caches.keys()) {
    if (await (await caches.open(name)).match(path)) return true;
  }
  return false;
}"""


@pytest.mark.django_db(transaction=True)
def test_a_responder_reads_protocols_and_a_tree_offline_and_signing_out_forgets_them(
    phone, live_server
):
    restore_roles()
    call_command("load_starter_protocols")
    make_person("responder", "Responder", display_name="Sam Responder")
    sign_in(phone, "responder", PASSWORD)
    phone.goto("/notes/")  # a page that must never be kept, visited while online
    phone.goto("/protocols/")
    _eventually(phone, KEPT, "/protocols/trees/emergencia-o-crisis/offline/")
    # A page whose loading began before the worker was active stays outside it
    # (clients.claim() takes only loaded pages): the next visit is inside.
    phone.goto("/protocols/")
    _eventually(phone, "() => navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    # A page never opened, in the other language too.
    phone.goto("/protocols/desescalada-basica/")
    expect(phone.locator("h1")).to_contain_text("Desescalada")
    expect(phone.locator(".offline-copy")).to_contain_text("Offline copy from")
    phone.goto("/protocols/")
    expect(phone.locator(".offline-copy time")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-")
    )

    # A whole tree never opened: from the library to its step-through, answered in-page.
    phone.get_by_role("link", name="Emergency or crisis?").click()
    expect(phone.locator("section.tree-section").first).to_be_visible()
    sections = phone.locator("section.tree-section").count()
    assert sections >= 3
    first_answer = phone.locator("#step-1 a.answer").first
    target = first_answer.get_attribute("href")
    first_answer.click()
    expect(phone).to_have_url(re.compile(re.escape(target) + "$"))
    expect(phone.locator(f"{target}")).to_be_in_viewport()

    # Notes: the offline page, and nothing of them in any cache.
    phone.goto("/notes/")
    expect(phone.locator("h1")).to_have_text("You are offline")
    kept = phone.evaluate(CACHED_URLS)
    assert kept and not [url for url in kept if "/notes/" in url or "/roster/" in url]
    # Everything in the cache is on the allow-list, or the styles, scripts and
    # icons kept pages need, or the worker's own list.
    for url in kept:
        address = url.removeprefix(live_server.url)
        assert (
            offline.may_keep(address)
            or address.startswith("/static/")
            or address == "/offline/kept-list"
        ), address
    assert "Sam Responder" not in phone.evaluate(CACHED_TEXT)

    phone.context.set_offline(False)
    phone.goto("/profile/")
    expect(phone.get_by_text("only while you are signed in")).to_be_visible()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Sign out").click()
    _eventually(
        phone,
        "async () => (await caches.keys()).length === 0 && "
        "(await navigator.serviceWorker.getRegistrations()).length === 0",
    )


KEPT_IN = """async ([path, language]) => {
  for (const name of await caches.keys()) {
    const response = await (await caches.open(name)).match(path);
    if (response && (await response.text()).includes(`<html lang="${language}">`)) return true;
  }
  return false;
}"""


@pytest.mark.django_db(transaction=True)
def test_copies_follow_the_readers_language_and_say_when_they_were_made(phone):
    restore_roles()
    call_command("load_starter_protocols")
    make_person("responder", "Responder", display_name="Sam Responder")
    sign_in(phone, "responder", PASSWORD)
    phone.goto("/protocols/")
    _eventually(phone, KEPT_IN, ["/protocols/safety-planning/", "en"])

    phone.locator("#language").select_option("es")
    with phone.expect_navigation():
        phone.locator("form.language button").click()
    # Changing language refreshes the copies at once, not ten minutes later.
    _eventually(phone, KEPT_IN, ["/protocols/safety-planning/", "es"])

    phone.context.set_offline(True)
    phone.goto("/protocols/safety-planning/")
    note = phone.locator(".offline-copy")
    expect(note).to_contain_text("Copia sin conexión del")
    # The date as Spanish writes it: the month in lower case.
    assert re.search(r"\d+ de [a-z]+ de \d{4}", note.inner_text()), note.inner_text()


def _png_size(body: bytes) -> str:
    """A PNG's width x height, read from its header."""
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return f"{int.from_bytes(body[16:20], 'big')}x{int.from_bytes(body[20:24], 'big')}"


@pytest.mark.django_db(transaction=True)
def test_chromium_finds_the_line_installable_from_a_phone(phone):
    """Add to home screen, as far as a test can try it: Chromium's own checks
    (the ones behind its install prompt) find nothing missing, the icons are the
    sizes they claim, and iOS Safari's icon and the theme colour are in the page."""
    restore_roles()
    make_person("responder", "Responder", display_name="Sam Responder")
    sign_in(phone, "responder", PASSWORD)
    phone.goto("/oncall/")
    _eventually(
        phone, "async () => (await navigator.serviceWorker.getRegistrations()).some(r => r.active)"
    )
    phone.goto("/oncall/")
    _eventually(phone, "() => navigator.serviceWorker.controller !== null")

    devtools = phone.context.new_cdp_session(phone)
    manifest = devtools.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and manifest["errors"] == []
    parsed = manifest.get("manifest", {})
    if parsed:  # newer Chromium also hands back the parsed manifest
        assert parsed["startUrl"].endswith("/oncall/") and parsed["display"].endswith("Standalone")
    errors = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito, where Chromium never offers to install.
    assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []

    declared = phone.evaluate("async () => (await (await fetch('/manifest.webmanifest')).json())")
    assert declared["start_url"] == "/oncall/" and declared["display"] == "standalone"
    assert declared["name"] and declared["short_name"] and declared["theme_color"] == "#14532d"
    for icon in declared["icons"]:
        response = phone.request.get(icon["src"])
        assert response.ok and response.headers["content-type"] == icon["type"], icon
        assert _png_size(response.body()) == icon["sizes"], icon
    assert {icon["sizes"] for icon in declared["icons"]} >= {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in declared["icons"])

    theme = phone.locator('meta[name="theme-color"]')
    assert theme.get_attribute("content") == declared["theme_color"]
    touch_icon = phone.locator('link[rel="apple-touch-icon"]').get_attribute("href")
    assert _png_size(phone.request.get(touch_icon).body()) == "180x180"
    assert phone.locator('meta[name="viewport"]').count() == 1
