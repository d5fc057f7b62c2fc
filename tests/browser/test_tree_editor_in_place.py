"""The tree editor on a phone: moving a node changes only the nodes, in place,
without a page load; the page stays where the trainer was and the moved node's
button keeps the focus. Without JavaScript the same button posts the whole form."""

from __future__ import annotations

import pytest

from tests.browser.audit import audit
from tests.browser.conftest import sign_in, touch_phone
from tests.browser.journeys import restore_roles
from tests.factory import PASSWORD, make_person
from tests.protocols.conftest import make_tree


@pytest.fixture
def tree(transactional_db):
    restore_roles()
    trainer = make_person("tess", "Trainer", display_name="Tess Trainer")
    return make_tree("crisis-or-emergency", author=trainer)


def node_ids(page) -> list[str]:
    return page.locator("input[name$='-id'][id^='n']").evaluate_all("els => els.map(e => e.value)")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_moving_a_node_keeps_your_place(chromium, live_server, html_checker, tree, javascript):
    context = touch_phone(chromium, live_server, javascript=javascript)
    page = context.new_page()
    try:
        sign_in(page, "tess", PASSWORD)
        page.goto("/protocols/trees/crisis-or-emergency/edit/")
        before = node_ids(page)
        button = page.locator("#n1-down")
        button.scroll_into_view_if_needed()
        if javascript:
            url, scrolled = page.url, page.evaluate("window.scrollY")
            assert scrolled > 0
            button.click()
            page.wait_for_function(
                "() => document.activeElement && document.activeElement.id === 'n2-down'"
            )
            assert page.url == url  # no page load
            assert page.evaluate("window.scrollY") > 0  # not thrown back to the top
            audit(page, html_checker)
        else:
            with page.expect_navigation():
                button.click()
        after = node_ids(page)
        assert after == [before[0], before[2], before[1], *before[3:]]
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_removed_node_can_be_put_back(chromium, live_server, html_checker, tree, javascript):
    """Removing a node takes one tap, and one more tap on Undo puts it back where it
    was, with what was typed in it; nothing is saved on the way."""
    context = touch_phone(chromium, live_server, javascript=javascript)
    page = context.new_page()
    try:
        sign_in(page, "tess", PASSWORD)
        page.goto("/protocols/trees/crisis-or-emergency/edit/")
        before = node_ids(page)
        page.fill("#n2-id", "typed-before-removing")
        remove = page.locator("#node-2").get_by_role("button", name="Remove", exact=True)
        remove.scroll_into_view_if_needed()
        if javascript:
            url = page.url
            remove.click()
            page.get_by_role("button", name="Undo").wait_for()
            assert page.url == url  # no page load
            assert page.evaluate("window.scrollY") > 0  # not thrown back to the top
            audit(page, html_checker)
        else:
            with page.expect_navigation():
                remove.click()
        assert node_ids(page) == [*before[:2], *before[3:]]
        status = page.get_by_role("status")
        assert status.inner_text().startswith("Removed: ")
        undo = page.get_by_role("button", name="Undo")
        if javascript:
            undo.click()
            page.wait_for_function("() => document.activeElement?.id === 'n2-id'")
        else:
            with page.expect_navigation():
                undo.click()
        assert node_ids(page) == [*before[:2], "typed-before-removing", *before[3:]]
        assert page.get_by_role("button", name="Undo").count() == 0
        assert tree.revisions.count() == 1
    finally:
        context.close()
