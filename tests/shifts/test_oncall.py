import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisisline.roles import RESPONDER
from shifts.models import Slot
from tests.conftest import client_for
from tests.factory import grant, make_person
from tests.shifts.conftest import build_line, in_hours, make_shift, put, slot_of

URL = "/oncall/"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_someone_without_a_role_is_refused(as_outsider):
    assert as_outsider.get(URL).status_code == 403


def test_shows_who_is_on_call_with_call_and_text_links(as_responder, responder, holder_position):
    teammate = make_person(
        "ana", RESPONDER, display_name="Ana Holder", pronouns="she/her", phone="+1 (555) 010-7777"
    )
    shift = make_shift(in_hours(-1), hours=4, positions=[holder_position])
    put(teammate, shift, holder_position)
    body = as_responder.get(URL).content.decode()
    assert "On call now" in body
    assert "Ana Holder" in body and "(she/her)" in body and "Line holder" in body
    assert 'href="tel:+15550107777"' in body
    assert 'href="sms:+15550107777"' in body
    until = timezone.localtime(shift.end).strftime("%H:%M")
    assert f"Until {until}" in body


def test_an_empty_position_is_shown_as_a_gap(as_responder, responder_position):
    make_shift(in_hours(-1), positions=[responder_position])
    assert "Nobody as Responder" in as_responder.get(URL).content.decode()


def test_shows_your_next_shift_and_the_next_shift(as_responder, responder, responder_position):
    make_shift(in_hours(-1), positions=[responder_position])
    later = make_shift(in_hours(20), positions=[responder_position])
    put(responder, later, responder_position)
    body = as_responder.get(URL).content.decode()
    section = body.split("Your next shift", 1)[1]
    assert timezone.localtime(later.start).strftime("%H:%M") in section.split("</section>")[0]
    assert "Next shift" in body


def test_every_running_shift_is_on_the_board_however_long_and_whatever_came_before(
    as_responder, responder_position
):
    for day in range(1, 40):  # a history of shifts long over
        make_shift(in_hours(-24 * day), positions=[responder_position])
    long = make_shift(in_hours(-26), hours=30, positions=[responder_position])
    short = make_shift(in_hours(-1), hours=4, positions=[responder_position])
    make_shift(in_hours(-2), hours=6, positions=[responder_position], cancelled=True)
    following = make_shift(in_hours(5), hours=3, positions=[responder_position])
    body = as_responder.get(URL).content.decode()
    now_part, _, next_part = body.partition("Next shift</h2>")
    ends = re.findall(r"Until (\d\d:\d\d)", now_part)
    until = [timezone.localtime(s.end).strftime("%H:%M") for s in (long, short)]
    assert ends == until  # both running shifts, the earlier start first; not the cancelled one
    assert timezone.localtime(following.start).strftime("%H:%M") in next_part


def test_urgent_open_places_come_first(as_responder, responder_position):
    soon = make_shift(in_hours(5), positions=[responder_position])
    urgent = make_shift(in_hours(30), positions=[responder_position])
    Slot.objects.filter(shift=urgent).update(urgent_since=timezone.now())
    body = as_responder.get(URL).content.decode()
    places = body.split("Open places", 1)[1]
    assert places.index("Urgent") < places.index(timezone.localtime(soon.start).strftime("%H:%M"))
    assert f'action="/places/{slot_of(urgent, responder_position).pk}/claim/"' in places


def test_when_closed_says_when_it_opens(as_responder, db):
    from shifts.models import ServiceWindow

    ServiceWindow.objects.create(
        weekday=(timezone.localdate() + timedelta(days=2)).weekday(),
        start=timezone.localtime().time().replace(hour=19, minute=0, second=0, microsecond=0),
        end=timezone.localtime().time().replace(hour=23, minute=0, second=0, microsecond=0),
    )
    body = as_responder.get(URL).content.decode()
    assert "The line is closed" in body
    assert re.search(r"Opens \w+ at 19:00", body)


def test_refreshes_itself_at_the_next_shift_change(as_responder, responder_position):
    make_shift(in_hours(-1), hours=1 + 10 / 60, positions=[responder_position])  # ends in 10 min
    body = as_responder.get(URL).content.decode()
    seconds = int(re.search(r'data-hx-trigger="click, every (\d+)s"', body).group(1))
    assert 595 <= seconds <= 605
    # Without JavaScript, the page reloads itself at the same moment.
    head = body.split("</head>", 1)[0]
    assert f'<noscript><meta http-equiv="refresh" content="{seconds}"></noscript>' in head
    # The refresh link works without JavaScript too, and htmx gets just the board.
    assert 'href="/oncall/"' in body
    fragment = as_responder.get(URL, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="board">') and "<html" not in fragment


def test_links_to_writing_a_call_note_when_that_exists(as_responder):
    from django.urls import NoReverseMatch, reverse

    try:
        note_url = reverse("calls:new")
    except NoReverseMatch:
        pytest.skip("calls:new is not built yet")
    assert f'href="{note_url}"' in as_responder.get(URL).content.decode()


# The session, the person, their capabilities; the shifts, their people, your next
# shift, open places; the opening hours and closures; the line's name; line-holder
# places at risk in the next 48 hours; whether you hold a follow-up; debrief or
# break requests for you; notices you have not read; field check-in timers (yours,
# and everyone's if you hold the line). Whether you checked out of a shift only
# when one of yours ended lately (your places, read with your next shift, say so).
ONCALL_QUERIES = 18


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_line(
    db, holder_position, responder_position, django_assert_max_num_queries
):
    client = client_for(make_person("viewer", RESPONDER))
    build_line(10, 10, [holder_position, responder_position])
    with django_assert_max_num_queries(ONCALL_QUERIES) as small:
        assert client.get(URL).status_code == 200

    Slot.objects.all().delete()
    from shifts.models import Shift

    Shift.objects.all().delete()
    build_line(10_000, 500, [holder_position, responder_position])
    with django_assert_max_num_queries(ONCALL_QUERIES) as big:
        assert client.get(URL).status_code == 200
    assert len(small) == len(big) == ONCALL_QUERIES


def test_query_count_is_the_same_with_one_or_many_of_everything(
    db, holder_position, responder_position
):
    viewer = make_person("viewer", RESPONDER, min_rest_hours=0)
    grant(viewer, holder_position.required_skill)
    client = client_for(viewer)

    now_on = make_shift(in_hours(-1), positions=[responder_position])
    put(make_person("solo", RESPONDER), now_on, responder_position)
    make_shift(in_hours(5), positions=[responder_position])  # next, and one open place
    put(viewer, make_shift(in_hours(30), positions=[responder_position]), responder_position)
    one = _count_queries(client)
    body = client.get(URL).content.decode()
    assert body.count('class="tag"') == 1 and body.count("Take it") == 1

    both = [holder_position, responder_position]
    people = [make_person(f"many{i}", RESPONDER, pronouns="they/them") for i in range(12)]
    for number in range(4):  # overlapping shifts on now, each full
        shift = make_shift(in_hours(-2 - number / 4), hours=5 + number, positions=both)
        put(people[3 * number], shift, holder_position)
        put(people[3 * number + 1], shift, responder_position)
        put(people[3 * number + 2], shift, responder_position)
    following = make_shift(in_hours(4.5), positions=both)
    put(people[0], following, holder_position)
    put(people[1], following, responder_position)
    for hours in range(6, 150, 3):  # open places, some urgent, and more shifts of your own
        shift = make_shift(in_hours(hours + 0.5), hours=2, positions=both)
        if hours % 9 == 0:
            put(viewer, shift, responder_position)
        if hours % 4 == 0:
            Slot.objects.filter(shift=shift).update(urgent_since=timezone.now())
    many = _count_queries(client)
    body = client.get(URL).content.decode()
    assert body.count('class="tag"') > 12 and body.count("Take it") == 5
    assert one == many == ONCALL_QUERIES


def test_page_and_stylesheet_fit_in_one_round_trip(
    as_responder, holder_position, responder_position
):
    import gzip

    from django.contrib.staticfiles import finders

    current = make_shift(in_hours(-1), positions=[holder_position, responder_position])
    following = make_shift(in_hours(3), positions=[holder_position, responder_position])
    for number, shift in enumerate([current, current, following, following]):
        position = responder_position
        put(make_person(f"p{number}", RESPONDER, pronouns="they/them"), shift, position)
    for hours in range(5, 30, 5):
        make_shift(in_hours(hours + 0.5), positions=[responder_position])
    html = as_responder.get(URL).content
    with open(finders.find("crisisline.css"), "rb") as css:
        size = len(gzip.compress(html)) + len(gzip.compress(css.read()))
    assert size < 14 * 1024, size
    # Everything else the page loads is htmx: the first load stays under 50 KB.
    scripts = re.findall(r'<script src="/static/([^"]+)"', html.decode())
    assert scripts, "the page should load htmx from this server"
    for script in scripts:
        with open(finders.find(script), "rb") as source:
            size += len(gzip.compress(source.read()))
    assert size < 50 * 1024, size


def test_a_trainer_sees_who_is_on_call_but_no_places_to_take(as_trainer, responder_position):
    make_shift(in_hours(-1), positions=[responder_position])
    make_shift(in_hours(5), positions=[responder_position])
    body = as_trainer.get(URL).content.decode()
    assert "On call now" in body
    assert "Take it" not in body and "Your next shift" not in body


def test_an_urgent_place_is_shown_even_behind_many_ordinary_ones(as_responder, responder_position):
    for hours in range(2, 14, 2):
        make_shift(in_hours(hours), hours=1, positions=[responder_position])
    urgent = make_shift(in_hours(100), positions=[responder_position])
    Slot.objects.filter(shift=urgent).update(urgent_since=timezone.now())
    body = as_responder.get(URL).content.decode()
    assert f"/places/{slot_of(urgent, responder_position).pk}/claim/" in body


def test_open_places_leave_out_what_a_claim_would_refuse(
    as_responder, responder, responder_position
):
    from shifts.models import TimeOff

    mine = make_shift(in_hours(10), positions=[responder_position])
    put(responder, mine, responder_position)
    clash = make_shift(in_hours(12), positions=[responder_position])
    away = make_shift(in_hours(24 * 4), positions=[responder_position])
    day = timezone.localtime(away.start).date()
    TimeOff.objects.create(person=responder, first_day=day, last_day=day)
    fine = make_shift(in_hours(30), positions=[responder_position])  # after 8 hours of rest
    Slot.objects.filter(shift__in=[clash, away]).update(urgent_since=timezone.now())

    places = as_responder.get(URL).content.decode().split("Open places", 1)[1]
    assert f"/places/{slot_of(fine, responder_position).pk}/claim/" in places
    for refused in (mine, clash, away):
        assert f"/places/{slot_of(refused, responder_position).pk}/claim/" not in places
