"""Anonymous weekly totals: row ids in a database copy say nothing about the order
in which notes were written."""

from __future__ import annotations

from datetime import date

from calls.models import Kind, Police, Response, Tally
from tests.calls.conftest import write_note

ROWS_PER_WEEK = len(Kind) * len(Response) * len(Police) * 2


def ids_by_combination() -> dict[tuple, int]:
    return {(t.kind, t.response, t.police, t.follow_up): t.pk for t in Tally.objects.order_by("pk")}


def test_the_first_note_of_a_week_makes_every_row_of_that_week(responder):
    write_note(responder, kind="information", response="referral")
    assert Tally.objects.count() == ROWS_PER_WEEK
    assert Tally.objects.filter(count__gt=0).count() == 1
    write_note(responder, kind="emergency")
    assert Tally.objects.count() == ROWS_PER_WEEK  # the second note makes no row


def test_row_ids_within_a_week_do_not_follow_the_order_notes_were_written(responder):
    # The last combination in the fixed order is counted first, the first one last.
    write_note(responder, kind="other", response="none", police="called-by-other")
    write_note(responder, kind="aftercare", response="in-person", police="unsolicited")
    write_note(responder, kind="emergency", response="phone", police="none")
    ids = ids_by_combination()
    counted_order = [
        ids[("other", "none", "called-by-other", False)],
        ids[("aftercare", "in-person", "unsolicited", False)],
        ids[("emergency", "phone", "none", False)],
    ]
    assert counted_order == sorted(counted_order, reverse=True)
    # The ids follow one fixed order of combinations, whatever was written.
    assert list(ids) == sorted(
        ids,
        key=lambda c: (
            Kind.values.index(c[0]),
            Response.values.index(c[1]),
            Police.values.index(c[2]),
            c[3],
        ),
    )


def test_a_week_counted_before_its_rows_were_made_up_front_still_counts(responder):
    week = Tally.objects.create(
        week=date(2020, 1, 6), kind="other", response="none", police="none", follow_up=False
    )
    Tally.add_one(
        day=date(2020, 1, 8), kind="other", response="none", police="none", follow_up=False
    )
    Tally.add_one(
        day=date(2020, 1, 8), kind="emergency", response="phone", police="none", follow_up=True
    )
    week.refresh_from_db()
    assert week.count == 1
    assert Tally.objects.get(week=date(2020, 1, 6), kind="emergency", follow_up=True).count == 1
