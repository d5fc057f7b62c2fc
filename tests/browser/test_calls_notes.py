"""A responder writes a call note on a phone, is asked about identifiers, reads it, burns it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from calls.models import CallNote, NoteKeys, Tally
from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, make_person


@pytest.fixture(autouse=True)
def _own_keyring_and_roles(settings, tmp_path, transactional_db):
    settings.KEYRING_DIR = tmp_path / "keyring"
    # Earlier transactional tests flush the role groups that a migration made.
    importlib.import_module("crisisline.migrations.0002_roles").create_roles(apps, None)


@pytest.mark.django_db(transaction=True)
def test_responder_writes_reads_and_burns_a_note_on_a_phone(phone, html_checker):
    make_person("responder", "Responder", display_name="Sam Responder")
    make_person("marisol", "Responder", display_name="Marisol")
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, "responder", PASSWORD)

    phone.get_by_role("link", name="Notes", exact=True).click()
    audit(phone, html_checker)
    with phone.expect_navigation():
        phone.get_by_role("link", name="Write a note").click()
    assert phone.url.endswith("/notes/new/")
    audit(phone, html_checker)

    phone.get_by_label("Crisis: non-acute").check()
    phone.locator("details.more > summary").click()  # the rest of the call, folded
    phone.get_by_label("Phone support").check()
    phone.get_by_label("No police").check()
    phone.get_by_label("Food").check()
    phone.get_by_role("textbox", name="Note").fill("Wants a call back on 555-010-0199 tomorrow.")
    phone.get_by_label("Follow-up by:", exact=True).select_option(label="Marisol")
    phone.get_by_label("Follow up by (date)").fill("2099-01-01")
    phone.get_by_role("button", name="Save note").click()

    # Bad date and a likely phone number: both explained, nothing saved.
    expect(
        phone.locator("#field-body").get_by_text("This note may identify someone")
    ).to_be_visible()
    expect(phone.get_by_text("555-010-0199").first).to_be_visible()
    expect(phone.locator("#field-follow_up_by").get_by_text("at most 30 days")).to_be_visible()
    assert not CallNote.objects.exists()
    audit(phone, html_checker)

    phone.get_by_role("textbox", name="Note").fill("Wants a call back tomorrow about food.")
    phone.get_by_label("Follow up by (date)").fill("")
    phone.get_by_label("Follow-up by:", exact=True).select_option(label="No follow-up needed")
    phone.get_by_role("button", name="Save note").click()

    expect(phone.get_by_text("Note saved.")).to_be_visible()
    expect(phone.get_by_text("Wants a call back tomorrow about food.")).to_be_visible()
    assert phone.get_by_role("heading", level=1).inner_text() == "Crisis: non-acute"
    audit(phone, html_checker)  # with its flash message
    # A week's rows are all made at once; only the one combination is counted.
    counted = Tally.objects.filter(count__gt=0).values_list(
        "kind", "response", "police", "follow_up", "count"
    )
    assert list(counted) == [("crisis-non-acute", "phone", "none", False, 1)]

    phone.get_by_role("link", name="Burn now").click()
    with phone.expect_navigation():
        phone.locator("form.ask-inline").get_by_role("button", name="Burn now").click()
    expect(phone.get_by_text("The note is destroyed.")).to_be_visible()
    assert not CallNote.including_expired.exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.django_db(transaction=True)
def test_coordinator_pages_and_the_public_page_pass_the_audit(desktop, phone, html_checker):
    make_person("coordinator", "Coordinator", "Responder", display_name="Rosa")
    make_person("responder", "Responder")
    phone.goto("/privacy/")
    assert phone.get_by_role("heading", level=1).inner_text() == "What we keep about a call"
    audit(phone, html_checker)

    sign_in(desktop, "coordinator", PASSWORD)
    writer = make_person("writer", "Responder")
    NoteKeys.create_for(writer, PASSWORD)  # as their first sign-in would
    CallNote.write(
        author=writer,
        body="x",
        kind="emergency",
        response="in-person",
        police="none",
        needs=[],
        keep_hours=24,
    )
    for path in ("/notes/evaluation/", "/notes/retention/", "/notes/wipe/"):
        desktop.goto(path)
        audit(desktop, html_checker)
    desktop.get_by_label("Type the confirmation phrase").fill("destroy every note")
    desktop.get_by_role("button", name="Destroy every note now").click()
    expect(
        desktop.get_by_text("Every note and every key is destroyed: 1 note and 1 key.")
    ).to_be_visible()
