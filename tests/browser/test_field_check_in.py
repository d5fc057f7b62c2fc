"""On a phone, with and without JavaScript: a responder starts a field check-in
timer, misses it, and the line holder's /oncall/ shows the alert."""

from __future__ import annotations

import importlib
import os
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import FieldCheckIn
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
def test_a_missed_check_in_alerts_the_line_holder(chromium, live_server, javascript, monkeypatch):
    from shifts import oncall

    monkeypatch.setattr(oncall, "REFRESH_MIN_SECONDS", 1)  # the board asks again within seconds
    out = make_person("sam", "Responder", display_name="Sam Outside")
    holder = make_person("lee", "Responder", display_name="Lee Holder")
    holding, responding = make_position("Line holder", holds_line=True), make_position("Responder")
    shift = make_shift(in_hours(-1), hours=4, positions=[holding, responding])
    put(holder, shift, holding)
    put(out, shift, responding)
    contexts = [
        chromium.new_context(
            viewport=PHONE, base_url=live_server.url, java_script_enabled=javascript
        )
        for _person in range(2)
    ]
    sam, lee = (context.new_page() for context in contexts)
    suffix = "js" if javascript else "nojs"
    try:
        sign_in(sam, "sam", PASSWORD)
        sam.goto("/oncall/")
        sam.get_by_text("Going out to an in-person response?").click()
        sam.get_by_role("button", name="30 min").click()
        expect(sam.get_by_text("Timer started")).to_be_visible()
        expect(sam.get_by_role("button", name="I'm back: check in")).to_be_visible()

        # The half hour is nearly over: due in three seconds, and nobody checks in.
        FieldCheckIn.objects.update(due_at=timezone.now() + timedelta(seconds=3))
        sign_in(lee, "lee", PASSWORD)
        lee.goto("/oncall/")
        assert lee.get_by_text("has not checked in").count() == 0
        # Nothing clicked: the board asks again just after the timer runs out (htmx, or
        # the page reloading itself without JavaScript) and shows the alert.
        lee.get_by_text("Sam Outside has not checked in").wait_for(timeout=20_000)
        expect(lee.get_by_text("Sam Outside has not checked in")).to_be_visible()
        assert lee.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if SHOTS:
            lee.screenshot(path=f"{SHOTS}/missed-check-in-{suffix}.png", full_page=True)

        sam.get_by_role("button", name="I'm back: check in").click()
        expect(sam.get_by_text("The timer is gone.")).to_be_visible()
        assert not FieldCheckIn.objects.exists()
    finally:
        for context in contexts:
            context.close()
