"""The note form's resource picker in a browser, on a phone: a need ticked leads to
its resources in place, and the referral ticked is counted for its resource.
(Without JavaScript, tests/calls/test_referrals.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from calls.models import CallNote, ReferralTally
from protocols.care_map import Resource
from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.browser.journeys import restore_roles
from tests.factory import PASSWORD, make_person
from tests.protocols.resource_helpers import make_resource

# Set to a folder to keep a picture of each page (for looking at them by eye).
SHOTS = os.environ.get("SCREENSHOTS_TO", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _resources() -> None:
    make_resource("harbor-shelter", name="Harbor Night Shelter", police="never")
    make_resource("county-shelter", name="County Intake Shelter", police="sometimes")
    make_resource("quiet-clinic", name="Quiet Clinic", needs=("medical",), police="never")


@pytest.mark.django_db(transaction=True)
def test_a_need_ticked_shows_its_resources_in_place_and_the_referral_is_counted(
    phone, html_checker
):
    restore_roles()
    _resources()
    make_person("responder", "Responder", display_name="Sam Responder")
    sign_in(phone, "responder", PASSWORD)
    phone.goto("/notes/new/")
    phone.get_by_label("Crisis").first.check()
    phone.locator("details.more summary").click()
    expect(phone.get_by_text("Tick a need above to see the resources for it.")).to_be_visible()
    phone.get_by_label("Housing").check()
    shelter = phone.get_by_label("Harbor Night Shelter", exact=False)
    expect(shelter).to_be_visible()  # swapped in, no page load
    expect(phone.get_by_label("Quiet Clinic", exact=False)).to_have_count(0)
    assert phone.url.endswith("/notes/new/")
    audit(phone, html_checker)
    shot(phone, "note-picker-phone")
    shelter.check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Save note").click()
    assert CallNote.objects.count() == 1
    harbor = Resource.objects.get(slug="harbor-shelter")
    assert ReferralTally.objects.get(resource=harbor, count__gt=0).count == 1
