"""A responder finds and follows protocols on a phone; a trainer edits with a live preview."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from protocols.models import Protocol
from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.browser.journeys import restore_roles
from tests.factory import PASSWORD, make_person


@pytest.mark.django_db(transaction=True)
def test_responder_finds_and_follows_the_tree_on_a_phone(phone, html_checker):
    restore_roles()  # earlier transactional tests flush the groups a migration made
    call_command("load_starter_protocols")
    make_person("responder", "Responder", display_name="Sam Responder")
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, "responder", PASSWORD)

    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Protocols").click()
    phone.wait_for_url("**/protocols/")
    audit(phone, html_checker)
    phone.get_by_label("Search").fill("de-escalation")
    phone.get_by_role("button", name="Search").click()
    expect(phone.get_by_role("link", name="De-escalation basics").first).to_be_visible()
    audit(phone, html_checker)

    phone.goto("/protocols/")
    phone.get_by_role("link", name="Emergency or crisis?").click()
    phone.wait_for_url("**/protocols/trees/emergency-or-crisis/")
    audit(phone, html_checker)
    first = phone.get_by_role("link", name="No, or I'm not sure it is right now")
    box = first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb-sized target
    first.click()
    phone.wait_for_url("**?path=1")
    phone.get_by_role("link", name="No", exact=True).click()
    phone.wait_for_url("**?path=1.1")
    phone.get_by_role("link", name="A long-running situation that keeps coming back").click()
    phone.wait_for_url("**?path=1.1.1")
    expect(phone.get_by_role("heading", name="Chronic crisis")).to_be_visible()
    because = phone.locator("ol.because").inner_text()
    assert "Could someone be seriously hurt" in because and "No" in because
    audit(phone, html_checker)

    # The path lives in the URL: back works, and so does a shared link.
    phone.go_back()
    expect(
        phone.get_by_role("heading", name="Which best describes what is going on?")
    ).to_be_visible()
    phone.goto("/protocols/trees/emergency-or-crisis/?path=1.1.1")
    expect(phone.get_by_role("heading", name="Chronic crisis")).to_be_visible()
    phone.get_by_role("link", name="Safety planning").first.click()
    phone.wait_for_url("**/protocols/safety-planning/")
    audit(phone, html_checker)
    phone.goto("/protocols/trees/emergency-or-crisis/?path=1.1.1")
    phone.get_by_role("link", name="Start again").click()
    phone.wait_for_url("**/protocols/trees/emergency-or-crisis/")
    expect(
        phone.get_by_role("heading", name="Is someone's life in danger right now?", exact=False)
    ).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.django_db(transaction=True)
def test_trainer_edits_with_live_preview_then_reviews(desktop, html_checker):
    restore_roles()  # earlier transactional tests flush the groups a migration made
    call_command("load_starter_protocols")
    make_person("trainer", "Trainer", display_name="Ade Trainer")
    errors: list[str] = []
    desktop.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(desktop, "trainer", PASSWORD)

    desktop.goto("/protocols/safety-planning/")
    audit(desktop, html_checker)
    desktop.get_by_role("link", name="Edit", exact=True).click()
    desktop.wait_for_url("**/edit/")
    audit(desktop, html_checker)
    text = desktop.get_by_label("Text (Markdown)")
    text.fill("# Plan together\n\nCall [the line](tel:+15550100) **any time**.")
    preview = desktop.locator("#preview")
    preview.locator("strong", has_text="any time").wait_for()  # htmx swapped in the preview
    assert preview.locator('a[href="tel:+15550100"]').count() == 1
    desktop.get_by_label("What changed").fill("shorter")
    desktop.get_by_role("button", name="Save", exact=True).click()
    expect(desktop.get_by_role("heading", name="Plan together")).to_be_visible()
    assert Protocol.objects.get(slug="safety-planning").current.summary == "shorter"

    desktop.get_by_role("link", name="History").click()
    desktop.wait_for_url("**/history/")
    audit(desktop, html_checker)
    desktop.get_by_role("button", name="Compare the two chosen revisions").click()
    expect(desktop.locator("tr.diff-ins").first).to_be_visible()
    audit(desktop, html_checker)

    desktop.goto("/protocols/safety-planning/")
    desktop.get_by_role("button", name="Mark reviewed").click()
    expect(desktop.get_by_text("Marked reviewed")).to_be_visible()
    desktop.goto("/protocols/trees/emergency-or-crisis/edit/")
    audit(desktop, html_checker)
    desktop.goto("/protocols/emergency-or-crisis/print/")
    audit(desktop, html_checker)
    for path in (
        "/protocols/new/",
        "/protocols/import/",
        "/protocols/stale/",
        "/protocols/?q=zebra",
    ):
        desktop.goto(path)
        audit(desktop, html_checker)

    # A tree edit without JavaScript-free surprises: add an answer, then save.
    desktop.goto("/protocols/trees/emergency-or-crisis/edit/")
    desktop.locator("#node-2").get_by_role("button", name="Add an answer").click()
    expect(desktop.locator('input[name="n2-a-count"]')).to_have_value("5")
    desktop.get_by_role("button", name="Save the tree").first.click()
    expect(desktop.locator("#node-2 .errorlist")).to_contain_text("answer 5 has no label.")
    audit(desktop, html_checker)  # the refusal (a 400) with its message, as shown
    assert not [e for e in errors if "Content Security Policy" in e], errors
