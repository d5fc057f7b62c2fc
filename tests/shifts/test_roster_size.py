"""The month roster fits a phone: a fixed number of queries and under 100 KB of
HTML for a full month of a line shaped like the benchmark's large one (4-hour
shifts round the clock; a line holder, two to three responders and a backup; four
shifts in five fully staffed, the fifth one short; five hundred people). As on the
benchmark, only its first five days are staffed yet: every place after is open; and
the same month as a line fills it, every day staffed so."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from crisisline.models import User
from crisisline.roles import RESPONDER
from shifts.models import Assignment, Shift, Slot
from tests.shifts.conftest import make_position

# Sign-in and the page's shared context, load_roster's reads, the pending swaps.
QUERIES = 12
MOST_BYTES = 100_000


def staff_a_month(first_day, staffed_days: int = 5) -> None:
    people = User.objects.bulk_create(
        User(username=f"p{n}", display_name=f"Person {n}", password="!") for n in range(500)
    )
    group = Group.objects.get(name=RESPONDER)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=p.pk, group_id=group.pk) for p in people
    )
    positions = [
        make_position("Line holder", 1, 1, holds_line=True),
        make_position("Responder", 2, 3),
        make_position("Backup", 1, 1),
    ]
    start = timezone.make_aware(timezone.datetime.combine(first_day, timezone.datetime.min.time()))
    shifts = Shift.objects.bulk_create(
        Shift(start=start + timedelta(hours=4 * i), end=start + timedelta(hours=4 * (i + 1)))
        for i in range(6 * 31)
    )
    slots, places, cursor = [], [], 0
    for index, shift in enumerate(shifts):
        for position in positions:
            short = index % 5 == 0 and position.min_people > 1
            taken = position.min_people - 1 if short else position.max_people
            taken = 0 if index >= 6 * staffed_days else taken
            slot = Slot(
                shift=shift,
                position=position,
                min_people=position.min_people,
                capacity=position.max_people,
                taken=taken,
            )
            slots.append(slot)
            for _ in range(taken):
                places.append((slot, shift, people[cursor % len(people)]))
                cursor += 7
    Slot.objects.bulk_create(slots)
    Assignment.objects.bulk_create(
        Assignment(slot=slot, shift=shift, person=person) for slot, shift, person in places
    )


@pytest.mark.parametrize(
    "staffed_days", [5, 31], ids=["staffed-5-days-as-the-bench", "staffed-every-day"]
)
def test_a_full_month_of_a_large_line_is_small_and_cheap(
    as_coordinator, db, django_assert_max_num_queries, staffed_days
):
    # Next month, every shift still ahead: every control is on the page.
    first = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    staff_a_month(first, staffed_days)
    with django_assert_max_num_queries(QUERIES):
        response = as_coordinator.get(f"/roster/?month={first:%Y-%m}")
    body = response.content
    assert body.count(b"<details") >= 6 * 28  # every shift of the month
    assert body.count(b"<b>Short-staffed</b>") >= 28  # each day's problems lead it
    print("month roster bytes:", len(body))
    assert len(body) < MOST_BYTES
