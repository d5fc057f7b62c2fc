"""A coordinator on a phone keeps the line answered: the forwarding chain, a line
holder without a phone, a skill confirmed, and a holder deactivated mid-shift."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crisisline.models import Skill, SkillGrant
from crisisline.roles import COORDINATOR, RESPONDER
from shifts.models import Assignment, Position, Shift, Slot
from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, grant, make_person


@pytest.mark.django_db(transaction=True)
def test_coordinator_keeps_the_line_answered(phone, html_checker):
    make_person("rosa", COORDINATOR, RESPONDER, display_name="Rosa Coordinator")
    training = Skill.objects.create(name="Line holder training")
    holder = make_person("ana", RESPONDER, display_name="Ana Holder", phone="")
    grant(holder, training)
    make_person("bo", RESPONDER, display_name="Bo Backup", phone="+1 (555) 010-3333")
    line = Position.objects.create(
        name="Line holder", min_people=1, max_people=1, required_skill=training, holds_line=True
    )
    backup = Position.objects.create(name="Debrief / backup", min_people=0, max_people=1, order=2)
    now = timezone.now().replace(microsecond=0)
    shift = Shift.objects.create(start=now - timedelta(hours=1), end=now + timedelta(hours=3))
    for position, person in ((line, "ana"), (backup, "bo")):
        slot = Slot.objects.create(shift=shift, position=position, capacity=1, taken=1)
        Assignment.objects.create(
            slot=slot, shift=shift, person_id=make_person_id(person), created_at=now
        )

    sign_in(phone, "rosa", PASSWORD)
    # The holder has no phone: /oncall/ says so first, in red.
    phone.goto("/oncall/")
    alert = phone.locator(".line-alerts")
    expect(alert).to_be_visible()
    assert "Ana Holder holds Line holder but has no phone number" in alert.inner_text()
    audit(phone, html_checker)

    # Put the backup next in the chain and make a forwarding link.
    phone.goto("/roster/rules/")
    phone.get_by_label("Then Debrief / backup: place in the order").fill("1")
    phone.get_by_role("button", name="Save the order").click()
    expect(phone.locator(".messages")).to_contain_text("Forwarding order saved.")
    phone.get_by_role("button", name="Make a forwarding link").click()
    link = phone.locator("#forward-link").input_value()
    audit(phone, html_checker)

    answer = phone.request.get(link)
    assert answer.headers["line-state"] == "open"
    assert answer.text() == "open\n+15550103333\n"
    twiml = phone.request.get(f"{link}?format=twiml").text()
    assert "<Number>+15550103333</Number>" in twiml

    # Bo gets line holder training confirmed, with a renewal date.
    phone.goto("/training/")
    phone.get_by_role("link", name="Bo Backup").click()
    phone.get_by_label("Skill or training").select_option(label="Line holder training")
    phone.get_by_label("Renew by").fill(f"{timezone.localdate() + timedelta(days=365)}")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Confirm").click()
    assert (
        "Line holder training confirmed for Bo Backup." in phone.locator(".messages").inner_text()
    )
    assert SkillGrant.objects.get(person__username="bo").confirmed
    audit(phone, html_checker)

    # Deactivating Ana mid-shift asks first, listing the running place.
    phone.goto("/people/")
    phone.get_by_role("row", name="Ana Holder").get_by_role("link", name="Deactivate").click()
    expect(phone.locator("main")).to_contain_text("running now")
    audit(phone, html_checker)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Deactivate Ana Holder").click()
    messages = phone.locator(".messages").inner_text()
    assert "1 place freed:" in messages and "choose who takes it now" in messages
    assert "/assign/" in phone.url
    assert not Assignment.objects.filter(person__username="ana").exists()

    phone.goto("/oncall/")
    assert "nobody holds Line holder" in phone.locator(".line-alerts").inner_text()
    assert phone.get_by_role("link", name="Call Ana Holder").count() == 0


def make_person_id(username: str) -> int:
    from crisisline.models import User

    return User.objects.get(username=username).pk
