"""Sums of the anonymous weekly totals, shaped for bar charts drawn on the server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext as _

from calls.models import (
    MEASURE_VALUES,
    CheckOutAnswer,
    Kind,
    Measure,
    Police,
    Tally,
    WeeklyCount,
)
from crisisline.dates import local_date

WEEKS_SHOWN = 52
# Wherever two or more attributes are crossed, counts from 1 to SMALL_COUNT - 1 are
# shown only as "fewer than 5": a small cell could point to one call.
SMALL_COUNT = 5


@dataclass(frozen=True)
class Bar:
    label: object
    count: int
    width: int  # 0–100, the bar's length relative to the largest bar


def _bars(pairs: Sequence[tuple[object, int]]) -> list[Bar]:
    largest = max((count for _label, count in pairs), default=0)
    return [
        Bar(label, count, round(100 * count / largest) if largest else 0) for label, count in pairs
    ]


def weekly_totals(tallies: Iterable[Tally], *, weeks: int = WEEKS_SHOWN) -> list[Bar]:
    """One bar per week from the first counted week (at most `weeks` back), gaps shown as 0."""
    per_week: Counter[date] = Counter()
    for tally in tallies:
        per_week[tally.week] += tally.count
    if not per_week:
        return []
    last = max(per_week)
    first = max(min(per_week), last - timedelta(weeks=weeks - 1))
    pairs = []
    week = first
    while week <= last:
        pairs.append((week, per_week[week]))
        week += timedelta(weeks=1)
    return _bars(pairs)


def monthly_totals(tallies: Iterable[Tally]) -> list[Bar]:
    """Weeks are counted in the month their Monday falls in."""
    per_month: Counter[date] = Counter()
    for tally in tallies:
        per_month[date(tally.week.year, tally.week.month, 1)] += tally.count
    return _bars(sorted(per_month.items()))


def totals_by(tallies: Iterable[Tally], field: str, choices: type[models.TextChoices]) -> list[Bar]:
    counts: Counter[str] = Counter()
    for tally in tallies:
        counts[getattr(tally, field)] += tally.count
    return _bars([(choice.label, counts[choice.value]) for choice in choices])


def crossed(count: int) -> int | str:
    """A count in a table that crosses two or more attributes, as it may be shown."""
    if 0 < count < SMALL_COUNT:
        return _("fewer than %(small)d") % {"small": SMALL_COUNT}
    return count


@dataclass(frozen=True)
class CrossTable:
    columns: list[object]
    rows: list[tuple[object, list[int | str]]]


def kind_by_police(tallies: Iterable[Tally]) -> CrossTable:
    """Calls by kind and police presence, small counts suppressed."""
    counts: Counter[tuple[str, str]] = Counter()
    for tally in tallies:
        counts[(tally.kind, tally.police)] += tally.count
    return CrossTable(
        columns=list(Police.labels),
        rows=[
            (kind.label, [crossed(counts[(kind.value, police.value)]) for police in Police])
            for kind in Kind
        ],
    )


CSV_HEADER = ["week_starting", "kind", "response", "police", "follow_up", "count"]


def csv_rows(tallies: Iterable[Tally]) -> list[list[str]]:
    """`tallies` as the CSV's rows, five attributes crossed: small counts are never
    given exactly (in the file's own words, untranslated)."""
    return [
        [
            t.week.isoformat(),
            t.kind,
            t.response,
            t.police,
            "yes" if t.follow_up else "no",
            str(t.count) if t.count >= SMALL_COUNT else f"fewer than {SMALL_COUNT}",
        ]
        for t in tallies
    ]


def measure_totals(counts: Iterable[WeeklyCount], measure: str) -> list[Bar]:
    """All-time totals of one measure (one attribute each: nothing is crossed)."""
    per_value: Counter[str] = Counter()
    for row in counts:
        if row.measure == measure:
            per_value[row.value] += row.count
    return _bars([(choice.label, per_value[choice.value]) for choice in MEASURE_VALUES[measure]])


CHECK_OUT_WEEKS_SHOWN = 8


def check_outs_by_week(counts: Iterable[WeeklyCount]) -> CrossTable:
    """The answers to the question after a shift in each of the last weeks that had
    any, newest first: a week crossed with an answer, so small counts are suppressed."""
    per: Counter[tuple[date, str]] = Counter()
    for row in counts:
        if row.measure == Measure.CHECK_OUT:
            per[(row.week, row.value)] += row.count
    weeks = sorted({week for (week, _value), count in per.items() if count}, reverse=True)
    return CrossTable(
        columns=list(CheckOutAnswer.labels),
        rows=[
            (
                local_date(week, "j M Y"),
                [crossed(per[(week, answer)]) for answer in CheckOutAnswer.values],
            )
            for week in weeks[:CHECK_OUT_WEEKS_SHOWN]
        ],
    )


def completed_follow_ups(counts: Iterable[WeeklyCount]) -> int:
    return sum(row.count for row in counts if row.measure == Measure.FOLLOW_UP)


@dataclass(frozen=True)
class ReferralRow:
    name: str
    url: str
    cells: list[str]


def referral_table(
    tallies: Iterable[tuple[date, str, str, int]], weeks: Sequence[date]
) -> list[ReferralRow]:
    """Resource × week from (week, slug, name, count) rows. Every count below
    SMALL_COUNT, zero included, reads "fewer than 5", and no totals are shown: a
    cell says nothing about one call, and no sum gives a hidden cell away."""
    from django.urls import reverse

    small = _("fewer than %(small)d") % {"small": SMALL_COUNT}
    by_resource: dict[tuple[str, str], dict[date, int]] = {}
    for week, slug, name, count in tallies:
        by_resource.setdefault((name, slug), {})[week] = count
    pattern = reverse("protocols:resource", args=["slug-here"])
    return [
        ReferralRow(
            name=name,
            url=pattern.replace("slug-here", slug),
            cells=[
                str(counts.get(week, 0)) if counts.get(week, 0) >= SMALL_COUNT else small
                for week in weeks
            ],
        )
        for (name, slug), counts in sorted(by_resource.items(), key=lambda i: i[0][0].lower())
    ]
