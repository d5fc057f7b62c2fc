"""The follow-up queue: the notes handed to a person, opened with their key, due
soonest first. The follow-up day is sealed inside each note, so the queue is
known only to its reader, in their own session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from calls import keyring_guard
from calls.models import CallNote, OpenedNote
from calls.unlock import Locked, unlocked_key

if TYPE_CHECKING:
    from crisisline.models import User
    from crisisline.roles import SignedInRequest


@dataclass
class FollowUpQueue:
    """What `reader` has to follow up. `due`: due today or overdue, soonest first;
    `tried`: those they could not reach yet (kept until the note expires);
    `later`: how many are due after today; `locked`: how many they hold but
    cannot open in this browser (signing in again opens them)."""

    today: date
    due: list[OpenedNote] = field(default_factory=list)
    tried: list[OpenedNote] = field(default_factory=list)
    later: int = 0
    locked: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.due or self.tried or self.later or self.locked)


def follow_ups_for(request: SignedInRequest) -> FollowUpQueue:
    """The signed-in person's follow-up queue, in a fixed number of queries."""
    reader: User = request.user
    today = timezone.localdate()
    queue = FollowUpQueue(today=today)
    if not reader.is_authenticated:
        return queue
    held = CallNote.objects.filter(follow_up_to=reader)
    try:
        private = unlocked_key(request)
    except Locked:
        queue.locked = held.count()
        return queue
    # One query for most people (they hold nothing); four for anyone who does,
    # however many they hold.
    if not held.exists():
        return queue
    for item in held.opened_by(reader, private, moment=keyring_guard.expiry_moment()):
        contents = item.contents
        if contents is None or contents.follow_up_by is None:
            continue
        if contents.unreachable_on is not None:
            queue.tried.append(item)
        elif contents.follow_up_by <= today:
            queue.due.append(item)
        else:
            queue.later += 1
    queue.due.sort(key=_due_order)
    queue.tried.sort(key=_due_order)
    return queue


def _due_order(item: OpenedNote) -> tuple[date, int]:
    assert item.contents is not None and item.contents.follow_up_by is not None
    return item.contents.follow_up_by, item.note.pk


def no_store_if_shown(queue: FollowUpQueue | None, response: HttpResponse) -> HttpResponse:
    """A page showing what a note says about a call is never stored by a browser
    or a proxy, as note pages are not."""
    if queue is not None and (queue.due or queue.tried):
        add_never_cache_headers(response)
    return response


def aftercare_context(
    request: SignedInRequest, *, responds: bool, now: datetime
) -> dict[str, object]:
    """What /oncall/ and the dashboard show besides the queue: the check-out question
    after a shift, and the debrief or break requests addressed to this person
    and the notices they have not read (three queries; one for someone who does not
    respond)."""
    from calls.checkout import requests_for, shift_to_check_out
    from calls.models import Notice

    return {
        "check_out_shift": shift_to_check_out(request.user, now) if responds else None,
        "check_out_asked": True,  # not again atop the page (base.html)
        "aftercare_requests": list(requests_for(request.user)),
        "notices": list(Notice.objects.unread_by(request.user)) if responds else [],
    }


def field_context(request: SignedInRequest, now: Any) -> dict[str, object]:
    """The person's own field check-in timer, and, for whoever holds the line now,
    everyone's (overdue ones as alerts); one query."""
    from calls.fieldcheck import for_oncall
    from calls.models import FieldCheckIn

    own, watched = for_oncall(request.user, now)
    return {
        "field_own": own,
        "field_overdue": [row for row in watched if row.is_overdue(now)],
        "field_minutes": FieldCheckIn.MINUTES,
        # The board asks again soon after the next timer runs out.
        "field_next_due": min(
            (row.due_at for row in watched if not row.is_overdue(now)), default=None
        ),
    }
