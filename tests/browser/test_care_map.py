"""The care map in a browser: a responder finds a safe place open now, in Spanish, on a
phone; a trainer verifies, edits and restores; the public page shows only what may be
shared, without JavaScript."""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import expect

from protocols.care_map import PublicDirectory, Resource
from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.browser.journeys import browser_page, restore_roles
from tests.factory import PASSWORD, make_person
from tests.protocols.resource_helpers import make_resource

# Open around the clock, whatever day and hour the test runs.
ALWAYS = tuple(
    (day, start, end)
    for day in range(7)
    for start, end in ((time(0), time(12)), (time(12), time(0)))
)


def _directory() -> None:
    make_resource(
        "night-shelter",
        name="Harbor Night Shelter",
        summary="Beds for the night.",
        summary_es="Camas para la noche.",
        needs=("housing",),
        hours=ALWAYS,
        police="never",
        immigration="never",
        speaks_spanish=True,
        phone="+15555550101",
        visibility="shareable",
        line_note="Ask for the evening team.",
    )
    make_resource(
        "county-shelter",
        name="County Intake Shelter",
        summary="Beds after an intake interview.",
        needs=("housing",),
        hours=ALWAYS,
        police="sometimes",
        visibility="team",
    )
    make_resource(
        "quiet-clinic",
        name="Quiet Clinic",
        summary="Walk-in care.",
        needs=("medical",),
        police="never",
        visibility="team",
    )


@pytest.mark.django_db(transaction=True)
def test_responder_finds_a_no_police_housing_resource_open_now_in_spanish(phone, html_checker):
    restore_roles()
    _directory()
    make_person("responder", "Responder", display_name="Sam Responder")
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, "responder", PASSWORD)
    phone.get_by_label("Language").select_option("es")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Change").click()

    phone.locator("header.site nav").get_by_role("link", name="Recursos").click()
    phone.wait_for_url("**/protocols/resources/")
    audit(phone, html_checker)
    phone.get_by_label("Necesidad").select_option("housing")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Buscar").click()
    phone.get_by_role("link", name="Sin policía").click()
    phone.wait_for_url("**no_police=1**")
    phone.get_by_role("link", name="Abierto ahora").click()
    phone.wait_for_url("**open_now=1**")
    audit(phone, html_checker)

    cards = phone.locator(".resource-card")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card.get_by_role("heading")).to_have_text("Harbor Night Shelter")
    expect(card).to_contain_text("Camas para la noche.")
    expect(card).to_contain_text("Policía: Nunca")
    call = card.get_by_role("link", name="Llamar")
    assert call.get_attribute("href") == "tel:+15555550101"
    box = call.bounding_box()
    assert box["height"] >= 44  # a thumb-sized target
    assert "County Intake Shelter" not in phone.content()

    card.get_by_role("link", name="Harbor Night Shelter", exact=True).click()
    phone.wait_for_url("**/protocols/resources/night-shelter/")
    expect(phone.get_by_text("Abierto ahora, hasta las")).to_be_visible()
    audit(phone, html_checker)
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.django_db(transaction=True)
def test_trainer_verifies_edits_and_restores_a_resource(desktop, html_checker):
    restore_roles()
    _directory()
    make_person("trainer", "Trainer", display_name="Ade Trainer")
    sign_in(desktop, "trainer", PASSWORD)

    desktop.goto("/protocols/resources/county-shelter/")
    audit(desktop, html_checker)
    desktop.get_by_role("button", name="Mark verified today").click()
    expect(desktop.get_by_text("Marked as verified today.")).to_be_visible()

    desktop.get_by_role("link", name="Edit").click()
    desktop.wait_for_url("**/edit/")
    audit(desktop, html_checker)
    desktop.locator("#id_police").select_option("always")
    desktop.get_by_label("Friday").fill("7pm till late")
    desktop.get_by_role("button", name="Save").click()
    # The error summary comes first and leads to the field.
    summary = desktop.locator("#error-summary")
    expect(summary).to_contain_text("is not a time span")
    audit(desktop, html_checker)
    desktop.get_by_label("Friday").fill("19:00-02:00")
    desktop.get_by_label("What changed").fill("Police now always called")
    desktop.get_by_role("button", name="Save").click()
    desktop.wait_for_url("**/protocols/resources/county-shelter/")
    expect(desktop.locator(".safety")).to_contain_text("Police: Always")

    desktop.get_by_role("link", name="History").click()
    desktop.wait_for_url("**/history/")
    expect(desktop.get_by_text("Police now always called")).to_be_visible()
    audit(desktop, html_checker)
    desktop.get_by_role("button", name="Restore #2").click()
    desktop.wait_for_url("**/protocols/resources/county-shelter/")
    expect(desktop.locator(".safety")).to_contain_text("Police: Sometimes")
    assert Resource.objects.get(slug="county-shelter").revisions.count() == 4


@pytest.mark.django_db(transaction=True)
def test_public_page_shows_only_shareable_resources_without_javascript(
    chromium, live_server, phone, html_checker
):
    restore_roles()
    _directory()
    assert phone.goto("/resources/").status == 404
    PublicDirectory.switch(True)
    response = phone.goto("/resources/")
    assert response.status == 200
    audit(phone, html_checker, response)  # axe needs scripts: audited with them on

    with browser_page(chromium, live_server, javascript=False) as page:
        page.goto("/resources/")
        expect(page.locator(".resource-card")).to_have_count(1)
        expect(page.get_by_role("heading", name="Harbor Night Shelter")).to_be_visible()
        text = page.content()
        assert "County Intake Shelter" not in text and "Quiet Clinic" not in text
        assert "Ask for the evening team." not in text
        # The filters are links and the search a plain form: both work without JavaScript.
        with page.expect_navigation():
            page.get_by_role("link", name="No police involvement").click()
        assert "no_police=1" in page.url
        expect(page.locator(".resource-card")).to_have_count(1)
        page.get_by_label("Search").fill("Quiet")
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        assert "q=Quiet" in page.url and "no_police=1" in page.url
        expect(page.locator(".resource-card")).to_have_count(0)
