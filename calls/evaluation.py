"""Sums of the anonymous weekly totals, shaped for bar charts drawn on the server."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

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


Cell = TypeVar("Cell", bound=Hashable)


def hidden_cells(counts: Mapping[Cell, int], sums: Sequence[Callable[[Cell], object]]) -> set[Cell]:
    """The cells of a table crossing two or more attributes to show as "fewer than 5":
    every count from 1 to SMALL_COUNT - 1, and then, wherever a sum shown exactly
    elsewhere (the cells one of `sums` gives the same key) would hide a single cell,
    the smallest other cell of that sum too (a zero first), until none does: a
    total less the counts shown never gives a hidden count away."""
    hidden = {cell for cell, count in counts.items() if 0 < count < SMALL_COUNT}
    groups: list[list[Cell]] = []
    for key_of in sums:
        by_key: defaultdict[object, list[Cell]] = defaultdict(list)
        for cell in counts:
            by_key[key_of(cell)].append(cell)
        groups.extend(by_key.values())
    alone = True
    while alone:
        alone = False
        for cells in groups:
            shown = [cell for cell in cells if cell not in hidden]
            if len(cells) - len(shown) == 1 and shown:
                hidden.add(min(shown, key=lambda cell: (counts[cell], repr(cell))))
                alone = True
    return hidden


def fewer_than_small() -> str:
    return _("fewer than %(small)d") % {"small": SMALL_COUNT}


@dataclass(frozen=True)
class CrossTable:
    columns: list[object]
    rows: list[tuple[object, list[int | str]]]


def kind_by_police(tallies: Iterable[Tally]) -> CrossTable:
    """Calls by kind and police presence, small counts suppressed; the page shows the
    totals by kind and by police presence exactly, so no row or column hides one cell."""
    counts: Counter[tuple[str, str]] = Counter(
        {(kind, police): 0 for kind in Kind.values for police in Police.values}
    )
    for tally in tallies:
        counts[(tally.kind, tally.police)] += tally.count
    hidden = hidden_cells(counts, [lambda cell: cell[0], lambda cell: cell[1]])
    small = fewer_than_small()

    def shown(cell: tuple[str, str]) -> int | str:
        return small if cell in hidden else counts[cell]

    return CrossTable(
        columns=list(Police.labels),
        rows=[
            (kind.label, [shown((kind.value, police.value)) for police in Police]) for kind in Kind
        ],
    )


CSV_HEADER = ["week_starting", "kind", "response", "police", "follow_up", "count"]


def csv_rows(tallies: Iterable[Tally]) -> list[list[str]]:
    """The weekly counters, five attributes crossed: every week's total, every single
    attribute's total and every kind × police cell are shown exactly on the page, so
    none of those sums hides a single row (hidden_cells). Rows counting nothing are
    left out unless they are hidden."""
    counts = {(t.week, t.kind, t.response, t.police, t.follow_up): t.count for t in tallies}
    sums: list[Callable[[tuple[date, str, str, str, bool]], object]] = [
        lambda row: row[0],
        lambda row: row[1],
        lambda row: row[2],
        lambda row: row[3],
        lambda row: row[4],
        lambda row: (row[1], row[3]),
    ]
    hidden = hidden_cells(counts, sums)
    rows = []
    for cell, count in sorted(counts.items()):
        if count or cell in hidden:
            week, kind, response, police, follow_up = cell
            # A file: untranslated, as its column names are.
            shown = f"fewer than {SMALL_COUNT}" if cell in hidden else str(count)
            rows.append(
                [week.isoformat(), kind, response, police, "yes" if follow_up else "no", shown]
            )
    return rows


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
    any, newest first: a week crossed with an answer, so small counts are hidden as
    in any crossed table (hidden_cells: each week's and each answer's sum)."""
    per: Counter[tuple[date, str]] = Counter()
    for row in counts:
        if row.measure == Measure.CHECK_OUT:
            per[(row.week, row.value)] += row.count
    weeks = sorted({week for (week, _value), count in per.items() if count}, reverse=True)
    cells = {
        (week, answer): per[(week, answer)]
        for week in weeks[:CHECK_OUT_WEEKS_SHOWN]
        for answer in CheckOutAnswer.values
    }
    hidden = hidden_cells(cells, [lambda cell: cell[0], lambda cell: cell[1]])
    small = fewer_than_small()
    return CrossTable(
        columns=list(CheckOutAnswer.labels),
        rows=[
            (
                week,
                [small if (week, a) in hidden else cells[(week, a)] for a in CheckOutAnswer.values],
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
