"""Shared steps of the role journeys: one way to act by mouse, by keyboard, or without JavaScript."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from playwright.sync_api import expect

from tests.browser.audit import audit
from tests.browser.conftest import PHONE


def restore_roles() -> None:
    # Transactional tests flush the role groups that a migration made.
    importlib.import_module("crisisline.migrations.0002_roles").create_roles(apps, None)


@contextmanager
def browser_page(chromium, live_server, *, javascript: bool = True, size=PHONE) -> Iterator:
    context = chromium.new_context(
        viewport=size, base_url=live_server.url, java_script_enabled=javascript
    )
    try:
        yield context.new_page()
    finally:
        context.close()


class Visitor:
    """Drives one page. With `keyboard`, every action is Tab, Enter, Space or typing;
    with `checker`, every page reached is audited (axe, Nu Html Checker, reflow)."""

    def __init__(self, page, checker=None, *, keyboard: bool = False) -> None:
        self.page = page
        self.checker = checker
        self.keyboard = keyboard
        self.audited: list[str] = []

    def audit(self, response=None) -> None:
        """Audit the page as shown: `response` is what loaded it, when nothing has
        changed it since; without one (after an htmx swap), the current document."""
        if self.checker is not None:
            audit(self.page, self.checker, response)
            self.audited.append(self.page.url)

    def goto(self, path: str) -> None:
        self.audit(self.page.goto(path))

    def _tab_to(self, target, *, same_group: bool = False) -> None:
        """Tab until `target` has focus (or, for a radio, any radio of its group:
        Tab stops once per group and the arrow keys move within it)."""
        target.wait_for()
        handle = target.element_handle()
        reached = (
            "el => document.activeElement && document.activeElement.type === 'radio'"
            " && document.activeElement.name === el.name"
            if same_group
            else "el => el === document.activeElement"
        )
        for _ in range(250):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(reached, handle):
                return
        raise AssertionError(f"Tab never reaches {target}")

    def follow(self, target) -> None:
        """Activate a link or submit button that loads a new page, then audit it."""
        if self.keyboard:
            self._tab_to(target)
            with self.page.expect_navigation() as navigation:
                self.page.keyboard.press("Enter")
        else:
            with self.page.expect_navigation() as navigation:
                target.click()
        self.audit(navigation.value)

    def confirm(self, trigger, action: str) -> None:
        """A destructive action asks first: with htmx its link turns into the question
        in place, the button that does it taking the focus; without JavaScript the link
        opens a page that asks. Either way, `action` is the button that does it."""
        page = self.page
        if not page.evaluate("() => typeof window.htmx !== 'undefined'"):
            self.follow(trigger)
            assert page.locator("h1").inner_text().endswith("?"), page.locator("h1").inner_text()
            self.follow(page.locator("main form").get_by_role("button", name=action))
            return
        if self.keyboard:
            self._tab_to(trigger)
            page.keyboard.press("Enter")
        else:
            trigger.click()
        question = page.locator("form.ask-inline")
        question.wait_for()
        button = question.get_by_role("button", name=action)
        expect(button).to_be_focused()
        self.audit()
        if self.keyboard:
            with page.expect_navigation() as navigation:
                page.keyboard.press("Enter")
        else:
            with page.expect_navigation() as navigation:
                button.click()
        self.audit(navigation.value)

    def fill(self, target, text: str) -> None:
        if self.keyboard:
            self._tab_to(target)
            self.page.keyboard.press("ControlOrMeta+a")
            self.page.keyboard.type(text)
        else:
            target.fill(text)

    def check(self, target) -> None:
        if self.keyboard and target.get_attribute("type") == "radio":
            self._tab_to(target, same_group=True)
            self.page.keyboard.press("Space")
            for _ in range(20):
                if target.is_checked():
                    return
                self.page.keyboard.press("ArrowDown")
            raise AssertionError(f"the arrow keys never reach {target}")
        if self.keyboard:
            self._tab_to(target)
            if not target.is_checked():
                self.page.keyboard.press("Space")
            assert target.is_checked(), target
        else:
            target.check()

    def select(self, target, label: str) -> None:
        if self.keyboard:
            self._tab_to(target)
            for _ in range(50):
                chosen = target.evaluate("s => s.options[s.selectedIndex].label")
                if chosen == label:
                    return
                self.page.keyboard.press("ArrowDown")
            raise AssertionError(f"no option {label!r} in {target}")
        target.select_option(label=label)

    def message(self) -> str:
        return self.page.locator(".messages").inner_text()
