"""The start-of-shift briefing: from a person's first view of /oncall/ in a shift
until they say they have read it, the protocols trainers marked for review at
every shift start and what changed in the library since their previous shift.
Notices follow it on the same page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language

SESSION_FIELD = "briefed_shift"
# Without an earlier shift on record, the changes of this long are shown.
LOOK_BACK = timedelta(days=14)
CHANGES_SHOWN = 10


@dataclass(frozen=True)
class Briefing:
    shift_id: int
    protocols: list[Any]
    changes: list[Any]
    since: datetime
    after_a_shift: bool  # `since` is the end of their previous shift, not LOOK_BACK ago
    more_changes: bool  # more than CHANGES_SHOWN changed since


def briefing_for(request: HttpRequest, bookings: Sequence[Any], now: datetime) -> Briefing | None:
    """The briefing for the shift the person is on now, until they mark it read
    (`mark_read`, remembered in their session, nowhere else): a page that reloads
    itself, or a look away, never uses it up. None otherwise. Two queries when
    shown, none otherwise."""
    from protocols.models import Protocol, Revision

    live = [b for b in bookings if not b.cancelled]
    current = next((b for b in live if b.start <= now < b.end), None)
    if current is None or request.session.get(SESSION_FIELD) == current.shift_id:
        return None
    previous = max((b.end for b in live if b.end <= current.start), default=None)
    since = previous or now - LOOK_BACK
    flagged = list(Protocol.objects.filter(review_at_shift_start=True).order_by("title"))
    language = (get_language() or "en")[:2]
    mine = [p for p in flagged if p.language == language] or flagged
    changes = list(
        Revision.objects.filter(created_at__gt=since, created_at__lte=now, number__gt=1)
        .select_related("protocol")
        .order_by("-created_at")[: CHANGES_SHOWN + 1]
    )
    return Briefing(
        shift_id=current.shift_id,
        protocols=mine,
        changes=changes[:CHANGES_SHOWN],
        since=since,
        after_a_shift=previous is not None,
        more_changes=len(changes) > CHANGES_SHOWN,
    )


def mark_read(request: HttpRequest, shift_id: int) -> None:
    """The person has read the briefing of this shift: not shown again in it."""
    request.session[SESSION_FIELD] = shift_id
