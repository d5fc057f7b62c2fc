"""The start-of-shift briefing: on /oncall/ from the first view in a shift until it
is marked read, the protocols marked for review at every shift start and what
changed in the library since the last shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.calls.conftest import client_for
from tests.protocols.conftest import make_page
from tests.shifts.conftest import in_hours, make_position, make_shift, put

NOON = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
BRIEFING = "Before you start"


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOON, tick=True) as traveller:
        yield traveller


@pytest.fixture
def position(db):
    return make_position("Responder")


def test_first_view_in_a_shift_briefs_until_read(responder, trainer, position, fixed_clock):
    plan = make_page("police-plan", title="Police presence plan", category="police-presence")
    plan.review_at_shift_start = True
    plan.save()
    make_page("breathing", title="Breathing")  # not marked
    fixed_clock.shift(timedelta(hours=-40))  # before the last shift
    make_page("older", title="Older").add_revision(
        author=trainer, body="# Older\n\nSeen already.\n", summary="Before the last shift"
    )
    fixed_clock.shift(timedelta(hours=40))
    put(responder, make_shift(in_hours(-30), hours=4, positions=[position]), position)
    fixed_clock.shift(timedelta(hours=-2))
    make_page("grounding", title="Grounding").add_revision(
        author=trainer, body="# Grounding\n\nNew step.\n", summary="Added a step for panic"
    )
    fixed_clock.shift(timedelta(hours=2))
    put(responder, make_shift(in_hours(-1), hours=4, positions=[position]), position)
    client = client_for(responder)
    page = client.get("/oncall/").content.decode()
    briefing = page.split(BRIEFING, 1)[1].split("</section>", 1)[0]
    assert "Police presence plan" in briefing and "Breathing" not in briefing.split(":")[0]
    assert "Added a step for panic" in briefing and "since your last shift" in briefing
    assert "And more changes" not in briefing
    assert "Before the last shift" not in briefing  # read about on that shift already
    # The page reloads itself without JavaScript, and htmx refreshes the board:
    # neither uses the briefing up before the responder has read it.
    assert BRIEFING in client.get("/oncall/").content.decode()
    assert BRIEFING not in client.get("/oncall/", headers={"HX-Request": "true"}).content.decode()
    assert BRIEFING in client.get("/oncall/").content.decode()
    shift_id = page.split("/aftercare/briefing/", 1)[1].split("/", 1)[0]
    assert client.post(f"/aftercare/briefing/{shift_id}/read/")["Location"] == "/oncall/"
    assert BRIEFING not in client.get("/oncall/").content.decode()  # read: not again this shift


def test_a_first_shift_shows_two_weeks_of_changes_and_says_when_there_are_more(
    responder, trainer, position, fixed_clock
):
    fixed_clock.shift(timedelta(days=-3))
    for number in range(12):
        make_page(f"page-{number}", title=f"Page {number}").add_revision(
            author=trainer, body=f"# Page {number}\n\nChanged.\n", summary=f"Change {number}"
        )
    fixed_clock.shift(timedelta(days=3))
    put(responder, make_shift(in_hours(-1), hours=4, positions=[position]), position)
    page = client_for(responder).get("/oncall/").content.decode()
    briefing = page.split(BRIEFING, 1)[1].split("</section>", 1)[0]
    assert "in the last two weeks" in briefing and "since your last shift" not in briefing
    assert briefing.count("Change ") == 10 and "Change 11" in briefing  # the newest ten
    assert "And more changes:" in briefing


def test_no_briefing_off_shift(responder, position):
    put(responder, make_shift(in_hours(5), hours=4, positions=[position]), position)
    assert BRIEFING not in client_for(responder).get("/oncall/").content.decode()


def test_the_next_shift_briefs_again(responder, position, fixed_clock):
    put(responder, make_shift(in_hours(-1), hours=4, positions=[position]), position)
    put(responder, make_shift(in_hours(5), hours=4, positions=[position]), position)
    client = client_for(responder)
    page = client.get("/oncall/").content.decode()
    shift_id = page.split("/aftercare/briefing/", 1)[1].split("/", 1)[0]
    client.post(f"/aftercare/briefing/{shift_id}/read/")
    assert BRIEFING not in client.get("/oncall/").content.decode()
    fixed_clock.shift(timedelta(hours=6))
    assert BRIEFING in client.get("/oncall/").content.decode()
