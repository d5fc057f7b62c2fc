"""Playwright driving Debian's Chromium against pytest-django's live server.

Browser tests are marked `browser`. When Chromium is missing they are skipped
locally, but fail in CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Debian's headless shell (package chromium-headless-shell) is the browser Playwright
# itself runs headless: the same engine without the full browser's layers, and
# about a third less CPU per page than /usr/bin/chromium in headless mode (the
# browser tests' largest cost). The full Chromium will do where it is missing.
CHROMIUM = os.environ.get("CHROMIUM") or next(
    (
        path
        for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
        if os.path.exists(path)
    ),
    "/usr/bin/chromium-headless-shell",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# made by the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A browser test that fails says what each of its open pages showed then:
    in CI's log that is all there is to tell a slow page from a wrong one."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("chromium")
    if report.when == "call" and report.failed and browser is not None:
        report.sections.append(("Pages open when it failed", _pages_now(browser)))
    return report


def _pages_now(browser) -> str:
    shown = []
    for context in browser.contexts:
        for page in context.pages:
            try:
                text = page.locator("body").inner_text(timeout=2000)
                shown.append(f"{page.url} ({page.title()}):\n{text[:2000]}")
            except Exception as error:  # a page closing or hung says that much
                shown.append(f"{page.url}: {error}")
    return "\n\n".join(shown) or "(none)"


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run should have installed it.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium-headless-shell)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def html_checker():
    from tests.browser.audit import PORT_VARIABLE, HtmlChecker

    shared = os.environ.get(PORT_VARIABLE)  # started by the main process (tests/conftest.py)
    checker = HtmlChecker(int(shared)) if shared else HtmlChecker()
    yield checker
    checker.close()


@pytest.fixture
def phone(chromium, live_server) -> Iterator[object]:
    """A fresh phone-sized page; its base URL is the live server."""
    context = chromium.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def touch_phone(chromium, live_server, *, javascript: bool = True):
    """A new phone-sized touch context (with or without JavaScript) on the live server."""
    return chromium.new_context(
        viewport=PHONE,
        base_url=live_server.url,
        java_script_enabled=javascript,
        has_touch=True,
        is_mobile=True,
    )


@pytest.fixture
def desktop(chromium, live_server) -> Iterator[object]:
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    second_step(page, username)


def second_step(page, username: str) -> None:
    """After the password, in the browser: a coordinator's first sign-in sets up
    two-step sign-in (reading the key off the page as an app would); later ones
    type a code. Nothing happens for people who sign in on a password alone."""
    import pyotp

    from crisisline.models import User
    from tests.factory import fresh_code

    if "/accounts/login/set-up/" in page.url:
        secret = page.locator("#secret").input_value().replace(" ", "")
        page.locator("#id_code").fill(pyotp.TOTP(secret).now())
        with page.expect_navigation():
            page.locator("#id_code").press("Enter")
        with page.expect_navigation():
            page.locator("a.button:not([download])").click()
    elif "/accounts/login/code/" in page.url:
        page.locator("#id_code").fill(fresh_code(User.objects.get(username=username)))
        with page.expect_navigation():
            page.locator("#id_code").press("Enter")
