"""On a phone, with and without JavaScript: after a shift, a responder asks for a
debrief at check-out, and the teammate on the debrief place sees it on /oncall/."""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps
from playwright.sync_api import expect

from calls.models import AftercareRequest
from tests.browser.conftest import PHONE, sign_in
from tests.factory import PASSWORD, make_person
from tests.shifts.conftest import in_hours, make_position, make_shift, put

SHOTS = os.environ.get("SHOTS_DIR")


@pytest.fixture(autouse=True)
def _own_keyring_and_roles(settings, tmp_path, transactional_db):
    settings.KEYRING_DIR = tmp_path / "keyring"
    importlib.import_module("crisisline.migrations.0002_roles").create_roles(apps, None)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.django_db(transaction=True)
def test_check_out_asking_for_a_debrief_reaches_the_debrief_holder(
    chromium, live_server, javascript
):
    worker = make_person("sam", "Responder", display_name="Sam Worker")
    holder = make_person("dee", "Responder", display_name="Dee Debrief")
    responder, debrief = (
        make_position("Responder"),
        make_position("Debrief / backup", takes_debriefs=True),
    )
    put(worker, make_shift(in_hours(-5), hours=4, positions=[responder]), responder)
    put(holder, make_shift(in_hours(-1), hours=4, positions=[debrief]), debrief)
    contexts = [
        chromium.new_context(
            viewport=PHONE, base_url=live_server.url, java_script_enabled=javascript
        )
        for _person in range(2)
    ]
    sam, dee = (context.new_page() for context in contexts)
    suffix = "js" if javascript else "nojs"
    try:
        sign_in(sam, "sam", PASSWORD)
        sam.goto("/oncall/")
        question = sam.locator("section.check-out")
        expect(question.get_by_text("How are you after your shift?")).to_be_visible()
        assert sam.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if SHOTS:
            sam.screenshot(path=f"{SHOTS}/check-out-{suffix}.png", full_page=True)
        question.get_by_role("button", name="I'd like a debrief").click()
        expect(sam.get_by_text("Someone from the debrief place will reach out")).to_be_visible()
        assert sam.locator("section.check-out").count() == 0

        sign_in(dee, "dee", PASSWORD)
        dee.goto("/oncall/")
        requests = dee.locator("section.aftercare-requests")
        expect(requests.get_by_text("Sam Worker asked for a debrief.")).to_be_visible()
        if SHOTS:
            dee.screenshot(path=f"{SHOTS}/debrief-request-{suffix}.png", full_page=True)
        requests.get_by_role("button", name="Seen").click()
        expect(dee.get_by_text("Marked as seen.")).to_be_visible()
        assert not AftercareRequest.objects.exists()
    finally:
        for context in contexts:
            context.close()
