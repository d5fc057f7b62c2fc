"""On the coordinator's dashboard, in Chromium on a phone and a desktop: when
expired notes were last purged, and a plain warning once the scheduler has
stopped. (SHOTS_DIR=… saves screenshots of both.)"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls import keyring_guard
from crisisline.models import Heartbeat
from crisisline.roles import COORDINATOR, RESPONDER
from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, make_person


def _shot(page, name: str) -> None:
    if folder := os.environ.get("SHOTS_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_dashboard_says_when_notes_were_last_purged_and_when_that_is_late(
    request, device, settings
):
    page = request.getfixturevalue(device)
    make_person("coord", COORDINATOR, RESPONDER, display_name="Rosa Coordinator")
    Heartbeat.beat("purge_expired")
    sign_in(page, "coord", PASSWORD)
    page.goto("/home/")
    status = page.get_by_text("Expired notes last purged")
    expect(status).to_be_visible()
    _shot(page, f"dashboard-purged-{device}")

    keyring_guard.ready_for_share()  # the keyring is in use
    late = timezone.now() - timedelta(seconds=3 * settings.PURGE_EVERY_SECONDS)
    Heartbeat.objects.filter(pk="purge_expired").update(finished_at=late)
    page.goto("/home/")
    warning = page.locator("p.message.error", has_text="not being purged on schedule")
    expect(warning).to_be_visible()
    assert "start the scheduler" in warning.inner_text()
    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, f"dashboard-late-{device}")
