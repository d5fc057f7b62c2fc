"""Field check-in for in-person responses: a timer, and an alert to whoever holds
the line now when it runs out (on /oncall/ and by email)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import FieldCheckIn
from shifts.oncall import current_shift_end

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from crisisline.models import User
    from shifts.models import Assignment

logger = logging.getLogger(__name__)
# A timer's record lives at least this long after it is due (off shift, or when the
# shift ends soon after): a missed check-in never vanishes while someone may be out.
OFF_SHIFT_GRACE = timedelta(hours=4)


def start(person: User, minutes: int, now: datetime | None = None) -> FieldCheckIn:
    """Start (or restart) `person`'s timer."""
    if minutes not in FieldCheckIn.MINUTES:
        raise ValueError(f"{minutes} is not one of {FieldCheckIn.MINUTES}")
    now = now or timezone.now()
    due = now + timedelta(minutes=minutes)
    shift_end = current_shift_end(person, now)
    ends = max(shift_end or due, due + OFF_SHIFT_GRACE)
    check_in, _created = FieldCheckIn.objects.update_or_create(
        person=person, defaults={"due_at": due, "ends_at": ends, "alerted_at": None}
    )
    return check_in


def check_in(person: User) -> bool:
    """They are back: the record is deleted."""
    deleted, _per_model = FieldCheckIn.objects.filter(person=person).delete()
    return bool(deleted)


def _holding_line(now: datetime) -> QuerySet[Assignment]:
    """The places on the line at `now`: whoever holds one is alerted."""
    from shifts.models import Assignment

    return Assignment.objects.filter(
        slot__position__holds_line=True,
        shift__cancelled=False,
        shift__start__lte=now,
        shift__end__gt=now,
    )


def for_oncall(person: User, now: datetime) -> tuple[FieldCheckIn | None, list[FieldCheckIn]]:
    """(`person`'s own running timer, the live timers of everyone if `person` holds
    the line now, or coordinates while nobody holds it), in one query."""
    from crisisline.roles import can

    watches = Q(Exists(_holding_line(now).filter(person=person)))
    if can(person, "coordinate"):  # nobody on the line: a missed check-in still reaches someone
        watches |= ~Q(Exists(_holding_line(now)))
    rows = list(
        FieldCheckIn.objects.filter(ends_at__gt=now)
        .filter(Q(person=person) | watches)
        .select_related("person")
        .order_by("due_at")
    )
    own = next((row for row in rows if row.person_id == person.pk), None)
    watched = [row for row in rows if row.person_id != person.pk]
    return own, watched


def alert_missed(now: datetime | None = None) -> int:
    """Email the people holding the line now about each check-in newly overdue
    (once each), or the coordinators while nobody holds it; returns how many
    check-ins were alerted. With nobody to email, a check-in stays unalerted and is
    tried again on the next run."""
    from crisisline.models import User
    from crisisline.roles import holders_of

    now = now or timezone.now()
    missed = list(
        FieldCheckIn.objects.filter(
            due_at__lte=now, ends_at__gt=now, alerted_at__isnull=True
        ).select_related("person")
    )
    if not missed:
        return 0
    on_the_line = User.objects.filter(pk__in=_holding_line(now).values("person"), is_active=True)
    holders = [p.email for p in on_the_line.exclude(email="")] or [
        p.email for p in holders_of("coordinate").exclude(email="")
    ]
    if settings.EMAIL_ENABLED and not holders:
        logger.warning(
            "%d missed check-in(s): nobody holds the line and no coordinator has an email "
            "address; trying again on the next run",
            len(missed),
        )
        return 0
    for row in missed:
        if settings.EMAIL_ENABLED:
            try:
                send_mail(
                    _("A teammate has not checked in"),
                    _(
                        "%(name)s has not checked in from an in-person response (due %(due)s). "
                        "Try to reach them."
                    )
                    % {"name": row.person, "due": timezone.localtime(row.due_at).strftime("%H:%M")},
                    None,
                    holders,
                )
            except Exception:  # shown on /oncall/ either way; tried again next run
                logger.exception("a missed check-in email could not be sent")
                continue
        FieldCheckIn.objects.filter(pk=row.pk).update(alerted_at=now)
    return len(missed)
