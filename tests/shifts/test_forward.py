from crisisline.roles import RESPONDER
from shifts.models import RosterRules
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_shift, put


def forwarding_link(as_coordinator) -> str:
    body = as_coordinator.post("/roster/rules/forwarding/").content.decode()
    start = body.index("http://testserver/forward/")
    return body[start : body.index('"', start)].replace("http://testserver", "")


def test_returns_the_line_holders_number_now(
    client, as_coordinator, holder_position, responder_position
):
    link = forwarding_link(as_coordinator)
    shift = make_shift(in_hours(-1), positions=[holder_position, responder_position])
    put(make_person("other", RESPONDER, phone="+1 555 000 1111"), shift, responder_position)
    put(make_person("holder", RESPONDER, phone="+1 555 000 2222"), shift, holder_position)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "+1 555 000 2222"


def test_empty_when_the_line_is_closed(client, as_coordinator, holder_position):
    link = forwarding_link(as_coordinator)
    shift = make_shift(in_hours(5), positions=[holder_position])
    put(make_person("later", RESPONDER), shift, holder_position)
    response = client.get(link)
    assert response.status_code == 200 and response.content == b""


def test_replacing_and_revoking_the_token(client, as_coordinator):
    old = forwarding_link(as_coordinator)
    new = forwarding_link(as_coordinator)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    as_coordinator.post("/roster/rules/forwarding/", {"action": "revoke"})
    assert client.get(new).status_code == 404
    assert RosterRules.current().forwarding_token_hash == ""


def test_rules_form(as_coordinator):
    response = as_coordinator.post(
        "/roster/rules/", {"release_notice_hours": "24", "swaps_need_approval": "on"}, follow=True
    )
    assert "Roster rules saved." in response.content.decode()
    rules = RosterRules.current()
    assert rules.release_notice_hours == 24 and rules.swaps_need_approval
    response = as_coordinator.post("/roster/rules/", {"release_notice_hours": "9999"})
    assert "errorlist" in response.content.decode()
    assert RosterRules.current().release_notice_hours == 24
