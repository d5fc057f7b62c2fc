"""Sums of the anonymous weekly totals, shaped for bar charts drawn on the server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models

from calls.models import Tally

WEEKS_SHOWN = 52


@dataclass(frozen=True)
class Bar:
    label: object
    count: int
    width: int  # 0–100, the bar's length relative to the largest bar


def _bars(pairs: list[tuple[object, int]]) -> list[Bar]:
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
