"""Shift check-out: one question after a shift; a debrief request reaches whoever
holds a debrief place now or next; a break request reaches coordinators; every
answer is counted anonymously; the records expire through the purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.core import mail

from calls.models import AftercareRequest, CheckOut, WeeklyCount
from calls.purge import purge_expired
from crisisline.roles import COORDINATOR, RESPONDER
from shifts.models import Slot
from tests.calls.conftest import client_for
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_position, make_shift, put

NOON = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOON, tick=True) as traveller:
        yield traveller


@pytest.fixture
def positions(db):
    return make_position("Responder"), make_position("Debrief / backup", takes_debriefs=True)


@pytest.fixture
def worked(responder, positions):
    """A shift the responder worked, ended an hour ago."""
    shift = make_shift(in_hours(-5), hours=4, positions=positions)
    put(responder, shift, positions[0])
    return shift


def answer(client, shift, choice, follow=False, **extra):
    return client.post(
        f"/aftercare/check-out/{shift.pk}/", {"answer": choice, **extra}, follow=follow
    )


def test_the_question_is_asked_once_after_a_shift(responder, worked):
    client = client_for(responder)
    assert "How are you after your shift?" in client.get("/oncall/").content.decode()
    assert answer(client, worked, "fine").status_code == 302
    assert "How are you after your shift?" not in client.get("/oncall/").content.decode()
    assert "How are you after your shift?" not in client.get("/home/").content.decode()
    counted = WeeklyCount.objects.get(measure="check-out", value="fine")
    assert counted.count == 1
    assert answer(client, worked, "fine").status_code == 302  # a second tab: counted once
    assert WeeklyCount.objects.get(measure="check-out", value="fine").count == 1


class Outline(HTMLParser):
    """The page's headings in order, and the text of the element each id names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.labelled_by: list[str] = []
        self.text_of: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(tag)
        if tag == "section" and found.get("class") == "check-out":
            self.labelled_by.append(found.get("aria-labelledby") or "")
        if tag not in {"input", "br", "img", "meta", "link"}:
            self._open.append((tag, found.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.text_of[element_id] = self.text_of.get(element_id, "") + data


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_atop_a_page_the_question_comes_before_the_h1_without_being_a_heading(responder, worked):
    client = client_for(responder)
    page = outline(client.get("/protocols/").content.decode())
    assert page.headings[0] == "h1"
    [label] = page.labelled_by
    assert page.text_of[label].strip() == "How are you after your shift?"
    # Where the page asks it below its h1 (the dashboard), it stays a heading of its own.
    dashboard = outline(client.get("/home/").content.decode())
    assert dashboard.headings[:2] == ["h1", "h2"]
    [label] = dashboard.labelled_by
    assert dashboard.text_of[label].strip() == "How are you after your shift?"


def test_not_asked_during_a_shift_or_long_after(responder, positions, fixed_clock):
    shift = make_shift(in_hours(-1), hours=4, positions=positions)
    put(responder, shift, positions[0])
    client = client_for(responder)
    assert "How are you after your shift?" not in client.get("/oncall/").content.decode()
    fixed_clock.shift(timedelta(hours=3, minutes=1))
    assert "How are you after your shift?" in client.get("/oncall/").content.decode()
    fixed_clock.shift(timedelta(hours=13))
    assert "How are you after your shift?" not in client.get("/oncall/").content.decode()


def test_a_debrief_request_reaches_the_debrief_holder_now(responder, worked, positions, settings):
    settings.EMAIL_ENABLED = True
    holder = make_person("holder", RESPONDER, display_name="Debbie Holder", email="d@example.org")
    put(holder, make_shift(in_hours(-1), hours=4, positions=positions), positions[1])
    assert answer(client_for(responder), worked, "debrief").status_code == 302
    request = AftercareRequest.objects.get()
    assert request.to == holder and request.asked_by == responder
    seen = client_for(holder)
    page = seen.get("/oncall/").content.decode()
    assert f"{responder.display_name} asked for a debrief." in page
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["d@example.org"]
    assert seen.post(f"/aftercare/requests/{request.pk}/seen/").status_code == 302
    assert not AftercareRequest.objects.exists()


def test_with_no_debrief_place_held_the_coordinators_are_told_and_the_person_knows(
    responder, worked, settings
):
    settings.EMAIL_ENABLED = True
    make_person("rosa", COORDINATOR, display_name="Rosa", email="rosa@example.org")
    page = answer(client_for(responder), worked, "debrief", follow=True).content.decode()
    assert "Nobody holds a debrief place now: the coordinators are told" in page
    assert AftercareRequest.objects.get().to is None
    assert mail.outbox[0].to == ["rosa@example.org"]


def test_a_second_answer_says_the_first_one_stands(responder, worked, positions):
    holder = make_person("holder", RESPONDER)
    put(holder, make_shift(in_hours(-1), hours=4, positions=positions), positions[1])
    client = client_for(responder)
    first = answer(client, worked, "debrief", follow=True).content.decode()
    assert "Someone from the debrief place will reach out." in first
    again = answer(client, worked, "debrief", follow=True).content.decode()
    assert "already answered" in again and "coordinators are told" not in again
    assert AftercareRequest.objects.count() == 1


def test_two_debrief_holders_one_sees_it_the_other_is_told(responder, worked, positions):
    shift = make_shift(in_hours(-1), hours=4, positions=positions)
    first, second = make_person("first", RESPONDER), make_person("second", RESPONDER)
    Slot.objects.filter(shift=shift, position=positions[1]).update(capacity=2)
    put(first, shift, positions[1])
    put(second, shift, positions[1])
    page = answer(client_for(responder), worked, "debrief", follow=True).content.decode()
    assert "Someone from the debrief place will reach out." in page
    mine, theirs = AftercareRequest.objects.order_by("to__username")
    assert client_for(first).post(f"/aftercare/requests/{mine.pk}/seen/").status_code == 302
    late = client_for(second).post(f"/aftercare/requests/{theirs.pk}/seen/", follow=True)
    assert "That request was already seen, or has ended." in late.content.decode()


def test_with_nobody_on_debrief_now_the_next_holder_is_told(responder, worked, positions):
    later_holder = make_person("later", RESPONDER)
    put(later_holder, make_shift(in_hours(10), hours=4, positions=positions), positions[1])
    answer(client_for(responder), worked, "debrief")
    assert AftercareRequest.objects.get().to == later_holder


def test_a_break_tells_coordinators_only_that_someone_asked(responder, worked):
    coordinator = make_person("coord", COORDINATOR)
    response = answer(client_for(responder), worked, "break")
    assert response.status_code == 302 and response["Location"] == "/me/time-off/"
    request = AftercareRequest.objects.get()
    assert request.asked_by is None
    page = client_for(coordinator).get("/home/").content.decode()
    assert "Someone asked for a break." in page and responder.display_name not in page


def test_a_break_names_the_person_only_if_they_allow_it(responder, worked):
    answer(client_for(responder), worked, "break", show_name="1")
    assert AftercareRequest.objects.get().asked_by == responder


def test_others_cannot_acknowledge_or_answer_for_someone(responder, worked):
    other = client_for(make_person("other", RESPONDER))
    answer(client_for(responder), worked, "debrief")  # nobody on debrief: coordinators
    request = AftercareRequest.objects.get()
    refused = other.post(f"/aftercare/requests/{request.pk}/seen/", follow=True)
    assert "already seen, or has ended" in refused.content.decode()
    assert AftercareRequest.objects.filter(pk=request.pk).exists()
    assert answer(other, worked, "fine").status_code == 302
    assert not CheckOut.objects.exclude(person=responder).exists()
    assert client_for(responder).get(f"/aftercare/check-out/{worked.pk}/").status_code == 405


def test_requests_and_check_outs_expire_through_the_purge(responder, worked, fixed_clock):
    answer(client_for(responder), worked, "debrief")
    assert CheckOut.objects.count() == 1 and AftercareRequest.objects.count() == 1
    fixed_clock.shift(timedelta(days=1))
    purge_expired()
    assert not CheckOut.objects.exists() and AftercareRequest.objects.count() == 1
    fixed_clock.shift(timedelta(days=7))
    purge_expired()
    assert not AftercareRequest.objects.exists()
