"""The follow-up queue: the notes handed to a person, opened with their key, due
soonest first. The follow-up day is sealed inside each note, so the queue is
known only to its reader, in their own session."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Max, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from calls import followup_index, keyring_guard
from calls.followup_index import Entry
from calls.models import CallNote
from calls.unlock import Locked, unlocked_key
from crisisline.models import shown_name
from crisisline.paths import path_to

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crisisline.models import User
    from crisisline.roles import SignedInRequest
    from shifts.places import Booking

logger = logging.getLogger(__name__)


# A queue shows at most this many notes due (and as many it could not reach);
# the rest are counted, and all are on the notes page.
SHOWN = 10


@dataclass(frozen=True)
class QueuedNote:
    """What the queue prints of a note besides its contents: its address, and its
    author's id and name (`shown_name`, as everywhere)."""

    public_id: str
    author_id: int
    author: str


@dataclass(frozen=True)
class QueueItem:
    """One note in the queue: the note (its address, its author) and what the queue
    shows of it (`followup_index.Entry`)."""

    note: QueuedNote
    contents: Entry

    @cached_property
    def paths(self) -> dict[str, str]:
        """Where the note's actions are, by the last part of their route's name."""
        return {
            action: path_to(f"calls:{route}", self.note.public_id)
            for action, route in (
                ("read", "detail"),
                ("done", "follow_up_done"),
                ("hand_on", "follow_up_hand_on"),
                ("unreachable", "follow_up_unreachable"),
            )
        }


@dataclass
class FollowUpQueue:
    """What `reader` has to follow up. `due`: due today or overdue, soonest first;
    `tried`: those they could not reach yet (kept until the note expires);
    `later`: how many are due after today; `locked`: how many they hold but
    cannot open in this browser (signing in again opens them); `unreadable`:
    how many they hold whose key is missing from the server, or all of them
    while the server cannot read its keyring (nobody can open those);
    `more_due` and `more_tried`: how many beyond the SHOWN first ones."""

    today: date
    due: list[QueueItem] = field(default_factory=list)
    tried: list[QueueItem] = field(default_factory=list)
    later: int = 0
    locked: int = 0
    unreadable: int = 0
    more_due: int = 0
    more_tried: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.due or self.tried or self.later or self.locked or self.unreadable)


def follow_ups_for(request: SignedInRequest) -> FollowUpQueue:
    """The signed-in person's follow-up queue, in a fixed number of queries: one
    for someone who holds nothing, three for anyone who does, however many they
    hold, once the holder's index knows them all (followup_index); the notes it
    has not seen yet are opened, and only those."""
    reader: User = request.user
    today = timezone.localdate()
    queue = FollowUpQueue(today=today)
    if not reader.is_authenticated:
        return queue
    held = CallNote.objects.filter(follow_up_to=reader)
    try:
        try:
            private = unlocked_key(request)
        except Locked:
            queue.locked = held.count()
            return queue
        # With the high-water mark in the same query: the moment notes expire against.
        stats = held.aggregate(
            count=Count("pk"),
            top=Max("pk"),
            total=Sum("pk"),
            squares=Sum(F("pk") * F("pk")),
            mark=Max(keyring_guard.high_water_mark()),
        )
        if not stats["count"]:
            return queue
        # Whole numbers (PostgreSQL sums bigints as numeric, which Python reads as Decimal).
        fingerprint = (
            int(stats["count"]),
            int(stats["top"]),
            int(stats["total"]),
            int(stats["squares"]),
        )
        moment = keyring_guard.expiry_moment_from(stats["mark"])
        index = followup_index.load(reader, private)
        if index is None or index.fingerprint != fingerprint:
            index = followup_index.refresh(reader, private, held, index, fingerprint, moment)
    except OSError as failure:
        # The keyring cannot be read: the page still works, and says what it cannot show.
        logger.error("The follow-up queue could not read the notes' keyring: %s", failure)
        queue.unreadable = held.count()
        return queue
    # Days compare as ISO text and expiries as epoch seconds: only shown notes are parsed.
    today_text, moment_seconds = today.isoformat(), moment.timestamp()
    due: list[tuple[str, int]] = []
    tried: list[tuple[str, int]] = []
    later = unreadable = 0
    for pk, row in index.rows.items():
        if len(row) != followup_index.OPENED_ROW_LENGTH:
            unreadable += followup_index.key_missing(row)
            continue
        _bucket, _kind, day, unreachable_on, expires = row
        if day is None or expires <= moment_seconds:
            continue
        if unreachable_on is not None:
            tried.append((day, pk))
        elif day <= today_text:
            due.append((day, pk))
        else:
            later += 1
    queue.later, queue.unreadable = later, unreadable
    due.sort()
    tried.sort()
    queue.more_due, queue.more_tried = max(0, len(due) - SHOWN), max(0, len(tried) - SHOWN)
    shown = [pk for _day, pk in due[:SHOWN] + tried[:SHOWN]]
    if shown:
        # Only what the queue prints of a note: its address and its author's name.
        rows = held.filter(pk__in=shown).values_list(
            "pk", "public_id", "author_id", "author__display_name", "author__username"
        )
        found = {
            pk: QueuedNote(public_id, author_id, shown_name(display_name, username))
            for pk, public_id, author_id, display_name, username in rows
        }
        queue.due = [
            QueueItem(found[pk], followup_index.entry_of(index.rows[pk]))
            for _day, pk in due[:SHOWN]
            if pk in found
        ]
        queue.tried = [
            QueueItem(found[pk], followup_index.entry_of(index.rows[pk]))
            for _day, pk in tried[:SHOWN]
            if pk in found
        ]
    return queue


def no_store_if_shown(queue: FollowUpQueue | None, response: HttpResponse) -> HttpResponse:
    """A page showing what a note says about a call is never stored by a browser
    or a proxy, as note pages are not."""
    if queue is not None and (queue.due or queue.tried):
        add_never_cache_headers(response)
    return response


@dataclass(frozen=True)
class UnreadNotice:
    """A notice as /oncall/ and the dashboard show it: its text, and where marking it
    read goes."""

    text: str
    read_path: str


def unread_notices(person: User) -> list[UnreadNotice]:
    """The notices `person` has not read, newest first, as plain values: a page may
    show fifty of them (one query)."""
    from calls.models import Notice

    rows = Notice.objects.unread_by(person).values_list("pk", "text")
    return [UnreadNotice(text, path_to("calls:notice_read", pk)) for pk, text in rows]


def aftercare_context(
    request: SignedInRequest,
    *,
    responds: bool,
    now: datetime,
    bookings: Sequence[Booking] | None = None,
    bookings_since: datetime | None = None,
) -> dict[str, object]:
    """What /oncall/ and the dashboard show besides the queue: the check-out question
    after a shift, and the debrief or break requests addressed to this person
    and the notices they have not read (three queries; one for someone who does not
    respond; two when their `bookings` since `bookings_since` show that no shift of
    theirs ended lately: calls.checkout.shift_to_check_out)."""
    from calls.checkout import requests_for, shift_to_check_out

    check_out = (
        shift_to_check_out(request.user, now, bookings, bookings_since) if responds else None
    )
    return {
        "check_out_shift": check_out,
        "check_out_asked": True,  # not again atop the page (base.html)
        "aftercare_requests": list(requests_for(request.user)),
        **_notices(unread_notices(request.user) if responds else []),
    }


# The notices shown open atop /oncall/ and the dashboard; the rest are folded below them.
NOTICES_SHOWN = 3


def _notices(unread: list[UnreadNotice]) -> dict[str, list[UnreadNotice]]:
    return {"notices": unread[:NOTICES_SHOWN], "more_notices": unread[NOTICES_SHOWN:]}


def field_context(
    request: SignedInRequest, now: Any, *, responds: bool = True
) -> dict[str, object]:
    """The person's own field check-in timer (and the timers they may start, when they
    respond), and, for whoever holds the line now (or a coordinator while nobody
    does), everyone's, overdue ones as alerts; one query, none for someone who
    neither responds nor coordinates."""
    from calls.fieldcheck import for_oncall
    from calls.models import FieldCheckIn
    from crisisline.roles import can

    if not (responds or can(request.user, "coordinate")):
        return {}
    own, watched = for_oncall(request.user, now)
    return {
        "field_own": own,
        "field_overdue": [row for row in watched if row.is_overdue(now)],
        "field_minutes": FieldCheckIn.MINUTES if responds else (),
        # The board asks again soon after the next timer runs out.
        "field_next_due": min(
            (row.due_at for row in watched if not row.is_overdue(now)), default=None
        ),
    }
