"""Forwarding: the chain, its three states, its formats, and a bare 404 for a wrong token."""

import json
from datetime import timedelta

from django.utils import timezone

from crisisline.models import User
from crisisline.roles import RESPONDER
from shifts.models import Position, RosterRules, ServiceWindow
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_position, make_shift, put


def forwarding_link(as_coordinator) -> str:
    body = as_coordinator.post("/roster/rules/forwarding/").content.decode()
    start = body.index("http://testserver/forward/")
    return body[start : body.index('"', start)].replace("http://testserver", "")


def backup_position(order: int = 1) -> Position:
    return make_position("Debrief / backup", 0, 1, order=2, forwarding_order=order)


def test_returns_the_line_holders_number_now_in_e164(
    client, as_coordinator, holder_position, responder_position
):
    link = forwarding_link(as_coordinator)
    shift = make_shift(in_hours(-1), positions=[holder_position, responder_position])
    put(make_person("other", RESPONDER, phone="+1 555 000 1111"), shift, responder_position)
    put(make_person("holder", RESPONDER, phone="+1 555 000 2222"), shift, holder_position)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Line-State"] == "open"
    # The responder's position is not in the chain: only the holder is tried.
    assert response.content.decode() == "open\n+15550002222\n"


def test_holder_without_a_phone_forwards_to_the_next_in_the_chain(
    client, as_coordinator, holder_position
):
    link = forwarding_link(as_coordinator)
    backup = backup_position()
    shift = make_shift(in_hours(-1), positions=[holder_position, backup])
    put(make_person("holder", RESPONDER, phone=""), shift, holder_position)
    put(make_person("backup", RESPONDER, phone="+1 (555) 000-3333"), shift, backup)
    assert client.get(link).content.decode() == "open\n+15550003333\n"
    twiml = client.get(f"{link}?format=twiml").content.decode()
    assert "<Dial" in twiml and "<Number>+15550003333</Number>" in twiml
    data = json.loads(client.get(f"{link}?format=json").content)
    assert data == {
        "state": "open",
        "numbers": ["+15550003333"],
        "chain": [{"number": "+15550003333", "source": "Debrief / backup"}],
    }


def test_the_chain_follows_the_coordinators_order_and_ends_with_the_duty_number(
    client, as_coordinator, holder_position, responder_position
):
    link = forwarding_link(as_coordinator)
    backup = backup_position(order=2)
    responder_position.forwarding_order = 1
    responder_position.save()
    RosterRules.objects.update_or_create(pk=1, defaults={"duty_phone": "+44 20 7946 0000"})
    shift = make_shift(in_hours(-1), positions=[holder_position, responder_position, backup])
    put(make_person("holder", RESPONDER, phone="+1 555 000 2222"), shift, holder_position)
    put(make_person("backup", RESPONDER, phone="+1 555 000 3333"), shift, backup)
    put(make_person("resp", RESPONDER, phone="+1 555 000 4444"), shift, responder_position)
    assert client.get(link).content.decode().split() == [
        "open",
        "+15550002222",
        "+15550004444",
        "+15550003333",
        "+442079460000",
    ]


def test_a_deactivated_holder_is_skipped(client, as_coordinator, holder_position):
    link = forwarding_link(as_coordinator)
    shift = make_shift(in_hours(-1), positions=[holder_position])
    holder = make_person("holder", RESPONDER, phone="+1 555 000 2222")
    put(holder, shift, holder_position)
    User.objects.filter(pk=holder.pk).update(is_active=False)  # e.g. in the admin
    response = client.get(link)
    assert response.content.decode() == "unstaffed\n"
    assert response["Line-State"] == "unstaffed"


def test_open_hours_with_nobody_reachable_is_unstaffed_not_closed(client, as_coordinator):
    link = forwarding_link(as_coordinator)
    now = timezone.localtime()
    # A window around now (crossing midnight when needed) and no shift at all.
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    opens = now - timedelta(hours=1)
    ServiceWindow.objects.create(weekday=opens.weekday(), start=start, end=end)
    response = client.get(link)
    assert response.content.decode() == "unstaffed\n"
    twiml = client.get(f"{link}?format=twiml").content.decode()
    assert "<Say" in twiml and "Nobody can answer the line right now" in twiml
    assert "<Dial" not in twiml


def test_closed_gets_the_closed_answer(client, as_coordinator, holder_position):
    link = forwarding_link(as_coordinator)
    shift = make_shift(in_hours(5), positions=[holder_position])
    put(make_person("later", RESPONDER), shift, holder_position)
    response = client.get(link)
    assert response.status_code == 200
    assert response.content.decode() == "closed\n"
    assert response["Line-State"] == "closed"
    assert json.loads(client.get(f"{link}?format=json").content)["state"] == "closed"
    twiml = client.get(f"{link}?format=twiml").content.decode()
    assert "The line is closed right now" in twiml and "<Dial" not in twiml


def test_closed_is_said_in_the_lines_language(settings, client, as_coordinator):
    link = forwarding_link(as_coordinator)
    settings.LANGUAGE_CODE = "es"
    twiml = client.get(f"{link}?format=twiml").content.decode()
    assert '<Say language="es">' in twiml and "La línea está cerrada" in twiml


def test_twiml_walks_the_chain_one_number_at_a_time(client, as_coordinator, holder_position):
    link = forwarding_link(as_coordinator)
    backup = backup_position()
    shift = make_shift(in_hours(-1), positions=[holder_position, backup])
    put(make_person("holder", RESPONDER, phone="+1 555 000 2222"), shift, holder_position)
    put(make_person("backup", RESPONDER, phone="+1 555 000 3333"), shift, backup)
    first = client.post(f"{link}?format=twiml").content.decode()
    assert "<Number>+15550002222</Number>" in first and "+15550003333" not in first
    assert 'action="?format=twiml&amp;step=1"' in first
    # The holder did not answer: Twilio posts the outcome to the action URL.
    second = client.post(f"{link}?format=twiml&step=1", {"DialCallStatus": "no-answer"})
    assert "<Number>+15550003333</Number>" in second.content.decode()
    last = client.post(f"{link}?format=twiml&step=2", {"DialCallStatus": "busy"})
    assert "Nobody can answer" in last.content.decode()
    # A call that took place ends there: nobody else is dialled.
    done = client.post(f"{link}?format=twiml&step=1", {"DialCallStatus": "completed"})
    assert "<Hangup/>" in done.content.decode() and "<Dial" not in done.content.decode()


def test_a_step_in_digits_outside_ascii_starts_the_chain_again(
    client, as_coordinator, holder_position
):
    link = forwarding_link(as_coordinator)
    shift = make_shift(in_hours(-1), positions=[holder_position, backup_position()])
    put(make_person("holder", RESPONDER, phone="+1 555 000 2222"), shift, holder_position)
    # int('١') is 1: it skipped the line holder.
    answer = client.post(f"{link}?format=twiml&step=١", {"DialCallStatus": "no-answer"})
    assert "<Number>+15550002222</Number>" in answer.content.decode()


def test_wrong_or_revoked_tokens_get_a_bare_404(client, as_coordinator):
    old = forwarding_link(as_coordinator)
    new = forwarding_link(as_coordinator)
    response = client.get(old)
    assert response.status_code == 404 and response.content == b""
    assert client.get("/forward/nope?format=twiml").content == b""
    assert client.get(new).status_code == 200
    as_coordinator.post("/roster/rules/forwarding/", {"action": "revoke"})
    assert client.get(new).status_code == 404
    assert RosterRules.current().forwarding_token_hash == ""


def test_an_unknown_format_is_refused(client, as_coordinator):
    link = forwarding_link(as_coordinator)
    response = client.get(f"{link}?format=xml")
    assert response.status_code == 400 and b"text, json or twiml" in response.content


def test_rules_form(as_coordinator):
    response = as_coordinator.post(
        "/roster/rules/",
        {
            "release_notice_hours": "24",
            "swaps_need_approval": "on",
            "duty_phone": "+52 55 1234 5678",
        },
        follow=True,
    )
    assert "Roster rules saved." in response.content.decode()
    rules = RosterRules.current()
    assert rules.release_notice_hours == 24 and rules.swaps_need_approval
    assert rules.duty_phone == "+525512345678"
    response = as_coordinator.post("/roster/rules/", {"release_notice_hours": "9999"})
    assert "errorlist" in response.content.decode()
    response = as_coordinator.post(
        "/roster/rules/", {"release_notice_hours": "12", "duty_phone": "call Rosa"}
    )
    assert "not a phone number we can dial" in response.content.decode()
    assert RosterRules.current().release_notice_hours == 24


def test_coordinators_set_the_chain_order(as_coordinator, as_responder, responder_position):
    backup = make_position("Debrief / backup", 0, 1, order=2)
    response = as_coordinator.post(
        "/roster/rules/chain/",
        {f"position_{backup.pk}": "1", f"position_{responder_position.pk}": ""},
        follow=True,
    )
    assert "Forwarding order saved." in response.content.decode()
    backup.refresh_from_db()
    responder_position.refresh_from_db()
    assert backup.forwarding_order == 1 and responder_position.forwarding_order is None
    response = as_coordinator.post("/roster/rules/chain/", {f"position_{backup.pk}": "zero"})
    assert "errorlist" in response.content.decode()
    backup.refresh_from_db()
    assert backup.forwarding_order == 1
    assert as_responder.post("/roster/rules/chain/", {}).status_code == 403
    assert as_coordinator.get("/roster/rules/chain/").status_code == 405


def test_stale_shift_end_does_not_open_the_line(client, as_coordinator, holder_position):
    link = forwarding_link(as_coordinator)
    shift = make_shift(in_hours(-5), hours=4, positions=[holder_position])
    put(make_person("earlier", RESPONDER), shift, holder_position)
    assert shift.end < timezone.now() + timedelta(seconds=1)
    assert client.get(link).content.decode() == "closed\n"
