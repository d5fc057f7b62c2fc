"""What every page a journey visits must pass: axe-core, the Nu Html Checker, and
no sideways scrolling at 360 px with text at 200 %.

Both tools are test-only npm packages (package.json); neither is ever served.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# A short-lived checker of small pages: only the quick compiler and the one-thread
# collector, which halve the JVM's CPU to start (about 9 → 4 s) and to check each
# page. The quick compiler's code needs deeper stacks for vnu's schema recursion.
JVM_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss16m"]


def _missing(what: str) -> None:
    message = f"{what} is missing: run `npm ci` (and install Java for the HTML checker)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# Under pytest-xdist the main process starts one checker for every worker as the
# run begins (tests/conftest.py) and tells them its port here.
PORT_VARIABLE = "HTML_CHECKER_PORT"


def html_checker_available() -> bool:
    return VNU.exists() and shutil.which("java") is not None


def start_html_checker() -> tuple[int, subprocess.Popen]:
    """Start the checker's JVM and return at once: it takes seconds to answer."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [
            "java",
            *JVM_OPTIONS,
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "-cp",
            str(VNU),
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return port, process


def stop_html_checker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class HtmlChecker:
    """The Nu Html Checker as a local HTTP service: one JVM for the whole run.

    Without `port`, starts its own (and `close` stops it); with one, checks through
    the checker already started there."""

    def __init__(self, port: int | None = None) -> None:
        self.process: subprocess.Popen | None = None
        if port is None:
            if not html_checker_available():
                _missing("vnu-jar")
            port, self.process = start_html_checker()
        self.port = port
        # A JVM starting beside two busy test workers has taken over a minute.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                self.errors("<!doctype html><html lang=en><title>x</title></html>")
                return
            except OSError:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(
                        f"the Nu Html Checker exited ({self.process.returncode}) on port {port}"
                    ) from None
                time.sleep(0.3)
        raise RuntimeError(f"the Nu Html Checker did not answer on port {port} in 180 s")

    def errors(self, html: str) -> list[str]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/?out=json",
            data=html.encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            messages = json.load(response)["messages"]
        return [
            f"line {m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()}]"
            for m in messages
            if m["type"] == "error"
        ]

    def close(self) -> None:
        if self.process is not None:
            stop_html_checker(self.process)


@functools.cache
def _axe_source() -> str:
    return AXE.read_text()


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not AXE.exists():
        _missing("axe-core")
    # evaluate() runs through the DevTools protocol, outside the page's CSP.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def scrolls_sideways_at_double_text(page) -> bool:
    """True when, at 360 px wide with text at 200 %, the page is wider than the screen."""
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": size["height"]})
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    wider = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size(size)
    return wider


def shown_html(page, response=None) -> str:
    """The HTML the browser shows: the body of the response that loaded the page
    (an answer to a POST included), or, when there is none or scripts have
    changed the page since (htmx swaps), the document as it is now.

    Never a fresh GET of the address: a page made by a POST, or showing a
    message once, would be checked as some other page."""
    from playwright.sync_api import Error

    if response is not None and response.url == page.url.split("#")[0]:
        try:
            return response.text()
        except Error:  # the browser kept no body (e.g. the page has navigated on)
            pass
    # A click returns once the next page is committed, not once it has arrived:
    # read the document only when it is all there.
    page.wait_for_load_state()
    return page.content()


def _settled(page):
    """The page once htmx has no request, swap or settle under way (a few seconds at most)."""
    busy = "!!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    for _ in range(60):
        if not page.evaluate(busy):
            break
        page.wait_for_timeout(50)
    return page


_alongside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="html-checker")


def audit(page, checker: HtmlChecker, response=None) -> None:
    """Assert everything every visited page must pass; names the page on failure.

    `response`: what the navigation to this page answered, when the page is
    still as it arrived; without it the current document is checked."""
    where = page.url
    html = shown_html(page, response)  # before axe and the reflow check touch the page
    # The HTML checker (another process) reads the page while the browser runs axe.
    html_errors = _alongside.submit(checker.errors, html)
    try:
        found = axe_violations(_settled(page))
    except BaseException:
        html_errors.cancel()
        raise
    errors = html_errors.result()
    assert not errors, (where, errors)
    if found:
        # Once more, a moment later: axe may have read a page halfway through an htmx
        # swap (it then finds nothing on a second look). What stays is reported.
        page.wait_for_timeout(250)
        found = axe_violations(_settled(page))
    assert not found, (where, found)
    assert not scrolls_sideways_at_double_text(page), (
        f"{where} scrolls sideways at 360 px, 200 % text"
    )
