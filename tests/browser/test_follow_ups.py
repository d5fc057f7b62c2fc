"""On a phone, with and without JavaScript: a responder hands a note on for follow-up,
it is due on the teammate's /oncall/, they mark it done, and the author's link
says what happened."""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import CallNote, NoteKeys, WeeklyCount
from tests.browser.conftest import PHONE, sign_in
from tests.factory import PASSWORD, make_person

SHOTS = os.environ.get("SHOTS_DIR")


@pytest.fixture(autouse=True)
def _own_keyring_and_roles(settings, tmp_path, transactional_db):
    settings.KEYRING_DIR = tmp_path / "keyring"
    importlib.import_module("crisisline.migrations.0002_roles").create_roles(apps, None)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.django_db(transaction=True)
def test_hand_off_then_due_on_oncall_then_done(chromium, live_server, javascript):
    make_person("sam", "Responder", display_name="Sam Writer")
    mate = make_person("marisol", "Responder", display_name="Marisol")
    NoteKeys.create_for(mate, PASSWORD)  # she has signed in before
    contexts = [
        chromium.new_context(
            viewport=PHONE, base_url=live_server.url, java_script_enabled=javascript
        )
        for _person in range(2)
    ]
    author, follower = (context.new_page() for context in contexts)
    try:
        sign_in(author, "sam", PASSWORD)
        author.goto("/notes/new/")
        author.get_by_label("Aftercare").check()
        author.locator("details.more > summary").click()  # the rest of the call, folded
        author.get_by_label("Phone support").check()
        author.get_by_label("No police").check()
        author.get_by_role("textbox", name="Note").fill("Wants a call back about food.")
        author.get_by_label("Follow-up by:", exact=True).select_option(label="Marisol")
        author.get_by_label("Follow up by (date)").fill(timezone.localdate().isoformat())
        author.get_by_role("button", name="Save note").click()
        expect(author.locator("#id_agreed_to_contact_error")).to_be_visible()
        assert not CallNote.objects.exists()
        author.get_by_label("The person agreed to be contacted").check()
        author.get_by_role("button", name="Save note").click()
        expect(author.get_by_text("Note saved.")).to_be_visible()
        note_url = author.url

        sign_in(follower, "marisol", PASSWORD)
        follower.goto("/oncall/")
        queue = follower.locator("section.follow-ups")
        expect(queue.get_by_text("Due today")).to_be_visible()
        expect(queue.get_by_text("from Sam Writer")).to_be_visible()
        assert follower.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(follower, f"oncall-follow-up-{'js' if javascript else 'nojs'}")
        queue.get_by_role("link", name="Done").click()
        expect(follower.get_by_text("It cannot be undone.")).to_be_visible()
        shot(follower, f"follow-up-done-confirm-{'js' if javascript else 'nojs'}")
        follower.get_by_role("button", name="Yes, it's done: destroy the note").click()
        expect(follower.get_by_text("Follow-up done.")).to_be_visible()
        assert follower.locator("section.follow-ups").count() == 0
        assert not CallNote.including_expired.exists()
        assert WeeklyCount.objects.get(measure="follow-up", value="done").count == 1

        response = author.goto(note_url)
        assert response is not None and response.status == 410
        expect(author.get_by_text("Its follow-up was marked done")).to_be_visible()
        assert author.get_by_text("Wants a call back").count() == 0
        shot(author, f"note-gone-{'js' if javascript else 'nojs'}")
    finally:
        for context in contexts:
            context.close()
