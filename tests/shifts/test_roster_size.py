"""The month roster fits a phone: a fixed number of queries and under 100 KB of
HTML for a full month of the benchmark's large line (4-hour shifts round the
clock, three positions, five hundred people)."""

from datetime import timedelta

from django.utils import timezone

from shifts.models import Position
from tests.shifts.conftest import build_line, make_position

# Sign-in and the page's shared context, load_roster's reads, the pending swaps.
QUERIES = 12
MOST_BYTES = 100_000


def positions() -> list[Position]:
    # As on the benchmark's line, line holders hold the training: no skill problem everywhere.
    return [
        make_position("Line holder", 1, 1, holds_line=True),
        make_position("Responder", 2, 3),
        make_position("Backup", 1, 1),
    ]


def test_a_full_month_of_the_large_line_is_small_and_cheap(
    as_coordinator, db, django_assert_max_num_queries
):
    # Next month, every shift still ahead: every control is on the page.
    middle = timezone.localtime().replace(day=1) + timedelta(days=46)
    build_line(6 * 40, 500, positions(), around=middle)
    with django_assert_max_num_queries(QUERIES):
        response = as_coordinator.get(f"/roster/?month={middle:%Y-%m}")
    body = response.content
    assert body.count(b"<details") >= 6 * 30  # every shift of the month
    assert body.count(b"<b>Short-staffed</b>") >= 30  # each day's problems lead it
    print("month roster bytes:", len(body))
    assert len(body) < MOST_BYTES
