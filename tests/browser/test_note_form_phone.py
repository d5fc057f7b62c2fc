"""The note form on a 390×844 phone: it fits in about one and a half screens, a
refused save shows its summary on the first screen, and each link in it takes
the responder to the field."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from playwright.sync_api import expect

from calls.models import CallNote
from tests.browser.audit import audit
from tests.browser.conftest import PHONE, sign_in
from tests.factory import PASSWORD, make_person

SHOTS = Path("/tmp/shots-continuity")


@pytest.fixture(autouse=True)
def _own_keyring_and_roles(settings, tmp_path, transactional_db):
    settings.KEYRING_DIR = tmp_path / "keyring"
    importlib.import_module("crisisline.migrations.0002_roles").create_roles(apps, None)


def _form_bottom(page) -> float:
    """How far down the page the form ends (its Save button's bottom edge)."""
    box = page.get_by_role("button", name="Save note").bounding_box()
    return box["y"] + box["height"] + page.evaluate("window.scrollY")


@pytest.mark.django_db(transaction=True)
def test_the_note_form_fits_a_phone_and_a_refusal_says_where_to_look(phone, html_checker):
    make_person("responder", "Responder", display_name="Sam Responder")
    sign_in(phone, "responder", PASSWORD)
    phone.goto("/notes/new/")
    SHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SHOTS / "note-form-phone.png"), full_page=True)
    # "About one and a half screens": 1.5 to within a line of text (44 px targets
    # made every choice a little taller).
    assert _form_bottom(phone) <= 1.5 * PHONE["height"] + 24
    audit(phone, html_checker)

    phone.get_by_role("textbox", name="Note").fill("Met them at 12 Hill Street, all calm now.")
    phone.get_by_role("button", name="Save note").click()
    summary = phone.locator("#error-summary")
    summary.wait_for()
    assert not CallNote.objects.exists()
    box = summary.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # on the first screen
    expect(phone.get_by_text("This note may identify someone").first).to_be_visible()
    phone.screenshot(path=str(SHOTS / "note-form-refused-phone.png"), full_page=True)
    audit(phone, html_checker)

    phone.locator("#error-summary a[href='#field-kind']").click()
    expect(phone).to_have_url(re.compile("#field-kind$"))
    expect(phone.locator("#field-kind")).to_be_visible()
    kind = phone.locator("#field-kind").bounding_box()
    assert -1 < kind["y"] < PHONE["height"]  # scrolled to it (to the pixel)

    # Fixing both, from the first fields only, saves it.
    phone.get_by_label("Information").check()
    phone.get_by_role("textbox", name="Note").fill("Asked when the line is open.")
    phone.get_by_role("button", name="Save note").click()
    phone.get_by_text("Note saved.").wait_for()
    assert CallNote.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_note_form_on_a_desktop(desktop):
    make_person("responder", "Responder", display_name="Sam Responder")
    desktop.set_viewport_size({"width": 1280, "height": 800})
    sign_in(desktop, "responder", PASSWORD)
    desktop.goto("/notes/new/")
    desktop.locator("details.more > summary").click()
    assert desktop.get_by_label("Phone support").is_checked()
    assert desktop.get_by_label("No police").is_checked()
    SHOTS.mkdir(exist_ok=True)
    desktop.screenshot(path=str(SHOTS / "note-form-desktop.png"), full_page=True)
