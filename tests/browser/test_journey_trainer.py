"""A trainer keeps the protocols right: edit a page, compare revisions, restore an
older one, break a decision tree, read what is wrong, and fix it.

On a phone with every page audited, and on a phone without JavaScript.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from protocols.models import Protocol
from tests.browser.journeys import Visitor, browser_page, restore_roles
from tests.factory import PASSWORD, make_person
from tests.protocols.conftest import make_page, make_tree


@pytest.fixture
def library(transactional_db):
    restore_roles()
    ade = make_person("ade", "Trainer", display_name="Ade Trainer")
    make_page("breathing", author=ade, title="Breathing")
    make_tree("crisis-or-emergency", author=ade, title="Crisis or emergency")


def trainer_journey(v: Visitor) -> None:
    page = v.page
    page.goto("/accounts/login/")
    v.fill(page.get_by_label("Username"), "ade")
    v.fill(page.get_by_label("Password"), PASSWORD)
    v.follow(page.get_by_role("button", name="Sign in"))
    v.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Protocols"))

    # Edit a page.
    v.follow(page.get_by_role("link", name="Breathing"))
    v.follow(page.get_by_role("link", name="Edit", exact=True))
    v.fill(page.get_by_label("Text (Markdown)"), "# Breathe together\n\nCount to four, out loud.")
    v.fill(page.get_by_label("What changed"), "Count out loud")
    v.follow(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_role("heading", name="Breathe together")).to_be_visible()
    assert Protocol.objects.get(slug="breathing").current.number == 2

    # Compare the two revisions.
    v.follow(page.get_by_role("link", name="History"))
    v.follow(page.get_by_role("button", name="Compare the two chosen revisions"))
    assert "Breathe together" in page.locator("tr.diff-ins").first.inner_text()
    assert "Breathe first" in page.locator("tr.diff-del").first.inner_text()

    # Restore the first.
    v.follow(page.get_by_role("link", name="History"))
    v.follow(page.get_by_role("link", name="#1"))
    v.follow(page.get_by_role("button", name="Restore revision 1"))
    assert "Revision 1 is restored" in v.message()
    expect(page.get_by_role("heading", name="Breathe first")).to_be_visible()
    current = Protocol.objects.get(slug="breathing").current
    assert (current.number, current.restored_from) == (3, 1)

    # Break the tree: an answer without a label.
    v.follow(page.get_by_role("link", name="Protocols", exact=True).first)
    v.follow(page.get_by_role("link", name="Crisis or emergency"))
    v.follow(page.get_by_role("link", name="Edit tree"))
    v.fill(page.locator("#node-0").get_by_label("Answer 1"), "")
    v.follow(page.get_by_role("button", name="Save the tree").first)
    assert "The tree was not saved" in v.message()
    problem = page.locator("#node-0 [role=alert]")
    assert "answer 1 has no label." in problem.inner_text()
    assert Protocol.objects.get(slug="crisis-or-emergency").current.number == 1

    # Fix it.
    v.fill(page.locator("#node-0").get_by_label("Answer 1"), "Yes, right now")
    v.fill(page.get_by_label("What changed"), "Clearer first answer")
    v.follow(page.get_by_role("button", name="Save the tree").first)
    assert "Saved a new revision of the tree." in v.message()
    tree = Protocol.objects.get(slug="crisis-or-emergency").current
    assert tree.number == 2
    assert tree.document["nodes"][0]["answers"][0]["label"] == "Yes, right now"
    expect(page.get_by_role("link", name="Yes, right now")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_trainer_journey_on_a_phone(chromium, live_server, html_checker, library):
    with browser_page(chromium, live_server) as page:
        visitor = Visitor(page, html_checker)
        trainer_journey(visitor)
        assert len(visitor.audited) >= 12


@pytest.mark.django_db(transaction=True)
def test_trainer_journey_without_javascript(chromium, live_server, library):
    with browser_page(chromium, live_server, javascript=False) as page:
        trainer_journey(Visitor(page))
