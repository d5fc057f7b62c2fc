"""Hours of operation: weekly windows turned into real instants, DST-correct.

Wall-clock times are in the line's zone. A wall-clock time that does not exist
(skipped when clocks spring forward) is placed at the instant the clocks jump;
an ambiguous one (repeated when clocks fall back) is its first occurrence. So
boundaries shared by consecutive windows or blocks always map to one instant:
no gaps, no overlaps, and a shift across a change has its true length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from shifts.models import Closure, ServiceWindow

MAX_GENERATION_DAYS = 366


@dataclass(frozen=True)
class Occurrence:
    """One window (or one block of it) on one date, as UTC instants."""

    start: datetime
    end: datetime
    window_id: int | None = None


def to_utc(wall: datetime, zone: tzinfo) -> datetime:
    """The instant at which the clocks in `zone` show the naive `wall` time."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # `wall` falls in a spring-forward gap: find the instant the clocks jump.
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, second), max(first, second)
    offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def wall_clock_spans(
    day: date, start: time, end: time, block_hours: int | None
) -> list[tuple[datetime, datetime]]:
    """Naive local (start, end) pairs of a window on `day`, cut into blocks."""
    begin = datetime.combine(day, start)
    finish = datetime.combine(day + timedelta(days=1) if end <= start else day, end)
    if not block_hours:
        return [(begin, finish)]
    spans = []
    cursor = begin
    step = timedelta(hours=block_hours)
    while cursor < finish:
        spans.append((cursor, min(cursor + step, finish)))
        cursor += step
    return spans


def occurrences(
    windows: Sequence[ServiceWindow],
    first_day: date,
    last_day: date,
    *,
    closed_days: Iterable[date] = (),
    block_hours: int | None = None,
    zone: tzinfo | None = None,
) -> list[Occurrence]:
    """Every window (cut into blocks) starting on a local day in [first_day, last_day]."""
    zone = zone or timezone.get_default_timezone()
    closed = set(closed_days)
    by_weekday: dict[int, list[ServiceWindow]] = {}
    for window in windows:
        by_weekday.setdefault(window.weekday, []).append(window)
    result = []
    day = first_day
    while day <= last_day:
        if day not in closed:
            for window in sorted(by_weekday.get(day.weekday(), []), key=lambda w: w.start):
                for wall_start, wall_end in wall_clock_spans(
                    day, window.start, window.end, block_hours
                ):
                    start, end = to_utc(wall_start, zone), to_utc(wall_end, zone)
                    if end > start:  # a block wholly inside a skipped hour does not exist
                        result.append(Occurrence(start, end, window.pk))
        day += timedelta(days=1)
    return result


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    until: datetime | None = None  # when open: when it closes
    opens_at: datetime | None = None  # when closed: when it next opens (None: no hours)


def status_from(spans: Sequence[Occurrence], now: datetime) -> OpeningStatus:
    """Whether the line is open at `now`, merging back-to-back windows."""
    spans = sorted(spans, key=lambda o: o.start)
    for index, span in enumerate(spans):
        if span.start <= now < span.end:
            until = span.end
            for later in spans[index + 1 :]:
                if later.start > until:
                    break
                until = max(until, later.end)
            return OpeningStatus(True, until=until)
    upcoming = [span.start for span in spans if span.start > now]
    return OpeningStatus(False, opens_at=min(upcoming) if upcoming else None)


def _status_days(now: datetime) -> tuple[date, date]:
    """The local days whose windows can say whether the line is open at `now` and
    when it next opens: from yesterday (a window into today) two weeks on."""
    today = timezone.localtime(now).date()
    return today - timedelta(days=1), today + timedelta(days=15)


def _status(
    windows: Sequence[ServiceWindow], closed: Iterable[date], now: datetime
) -> OpeningStatus:
    first, last = _status_days(now)
    return status_from(occurrences(windows, first, last, closed_days=set(closed)), now)


def opening_status(now: datetime | None = None) -> OpeningStatus:
    """Open now (and until when), or when the line next opens. Two queries."""
    now = now or timezone.now()
    first, last = _status_days(now)
    closed = Closure.objects.filter(date__range=(first, last)).values_list("date", flat=True)
    return _status(list(ServiceWindow.objects.all()), closed, now)


@dataclass(frozen=True)
class PublicHours:
    """What the public page says about when the line is open."""

    status: OpeningStatus
    # (day name, ["19:00–02:00", …]) for each day with open hours, Monday first;
    # wall-clock times in the line's zone, an end on the next day shown as is.
    week: list[tuple[str, list[str]]]
    closures: list[date]  # closed days from today on, within the weeks asked for


def public_hours(now: datetime | None = None, *, weeks: int = 4) -> PublicHours:
    """Open now (or when it opens), the weekly hours, and closures in the next
    `weeks` weeks: two queries, whatever the number of windows or closures."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    first, last = _status_days(now)
    horizon = today + timedelta(days=7 * weeks)
    windows = list(ServiceWindow.objects.order_by("weekday", "start"))
    closed = list(
        Closure.objects.filter(date__range=(first, max(last, horizon)))
        .order_by("date")
        .values_list("date", flat=True)
    )
    status = _status(windows, closed, now)
    days: dict[int, tuple[str, list[list[time]]]] = {}
    for window in windows:
        _name, spans = days.setdefault(window.weekday, (window.get_weekday_display(), []))
        if spans and spans[-1][0] < spans[-1][1] == window.start:  # 10–18 then 18–02
            spans[-1][1] = window.end
        else:
            spans.append([window.start, window.end])
    week = [
        (
            name,
            [
                f"{start:%H:%M}–{'24:00' if end == time(0) else f'{end:%H:%M}'}"
                for start, end in spans
            ],
        )
        for _day, (name, spans) in sorted(days.items())
    ]
    return PublicHours(
        status=status,
        week=week,
        closures=[day for day in closed if today <= day <= horizon],
    )
