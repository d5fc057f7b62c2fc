"""The personal calendar feed, read back with a small independent RFC 5545 reader."""

from datetime import UTC, datetime

from django.test import Client

from crisisline.roles import RESPONDER
from shifts.models import ShiftPreferences
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_shift, put


def read_ics(text: str) -> list[dict[str, str]]:
    """Unfold lines (RFC 5545 §3.1) and collect each VEVENT's properties."""
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.rstrip().endswith("END:VCALENDAR")
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    events, current = [], None
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current[name.split(";")[0]] = value.replace("\\,", ",")
            current[name.split(";")[0] + "-params"] = name
    return events


def utc(value: str) -> datetime:
    assert value.endswith("Z"), "times must be in UTC"
    return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def feed_link(client) -> str:
    response = client.post("/me/shift-settings/feed/")
    body = response.content.decode()
    start = body.index("http://testserver/feed/")
    return body[start : body.index('"', start)].replace("http://testserver", "")


def test_feed_has_your_own_shifts_in_utc(as_responder, responder, responder_position):
    mine = make_shift(in_hours(30), positions=[responder_position])
    put(responder, mine, responder_position)
    theirs = make_shift(in_hours(60), positions=[responder_position])
    put(make_person("other", RESPONDER), theirs, responder_position)
    link = feed_link(as_responder)
    response = Client().get(link)  # no session needed
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [event] = read_ics(response.content.decode())
    assert utc(event["DTSTART"]) == mine.start
    assert utc(event["DTEND"]) == mine.end
    assert "Responder" in event["SUMMARY"]
    assert "DESCRIPTION" not in event  # teammates only when opted in


def test_teammates_only_when_opted_in(as_responder, responder, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    put(responder, shift, responder_position)
    put(make_person("mate", RESPONDER, display_name="Mo Mate"), shift, responder_position)
    link = feed_link(as_responder)
    assert "Mo Mate" not in as_responder.get(link).content.decode()
    as_responder.post("/me/shift-settings/", {"feed_shows_teammates": "on"})
    [event] = read_ics(as_responder.get(link).content.decode())
    assert event["DESCRIPTION"] == "With: Mo Mate (Responder)"


def test_regenerating_kills_the_old_link_at_once(as_responder):
    old = feed_link(as_responder)
    new = feed_link(as_responder)
    assert old != new
    assert as_responder.get(old).status_code == 404
    assert as_responder.get(new).status_code == 200


def test_turning_the_link_off(as_responder):
    link = feed_link(as_responder)
    as_responder.post("/me/shift-settings/feed/revoke/")
    assert as_responder.get(link).status_code == 404


def test_deactivation_kills_the_feed(as_responder, responder):
    link = feed_link(as_responder)
    responder.deactivate()
    assert ShiftPreferences.objects.get(person=responder).feed_token_hash == ""
    assert Client().get(link).status_code == 404


def test_the_token_is_not_stored(as_responder, responder):
    link = feed_link(as_responder)
    token = link.removeprefix("/feed/").removesuffix(".ics")
    assert token not in ShiftPreferences.objects.get(person=responder).feed_token_hash
