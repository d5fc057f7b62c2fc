"""Shift check-out: one question after a shift (fine / a debrief / a break), the
debrief request to whoever holds a debrief position now or next, and the break
request to the coordinators. Answers are counted anonymously (WeeklyCount)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import AftercareRequest, CheckOut, CheckOutAnswer, Measure, WeeklyCount
from crisisline.roles import can, holders_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crisisline.models import User
    from shifts.models import Shift
    from shifts.places import Booking

logger = logging.getLogger(__name__)


def shift_to_check_out(
    person: User,
    now: datetime,
    bookings: Sequence[Booking] | None = None,
    bookings_since: datetime | None = None,
) -> Shift | None:
    """The latest shift `person` worked that ended in the last CHECK_OUT_HOURS and
    that they have not answered for (one query). A caller that has read every
    place `person` holds on shifts ending after `bookings_since` (shifts.places)
    passes them: when none of those shifts ended in that time, there is none, and
    no query."""
    from shifts.models import Assignment

    if not person.is_authenticated:
        return None
    since = now - timedelta(hours=settings.CHECK_OUT_HOURS)
    if (
        bookings is not None
        and bookings_since is not None
        and bookings_since <= since
        and not any(not b.cancelled and since < b.end <= now for b in bookings)
    ):
        return None
    assignment = (
        Assignment.objects.filter(
            person=person, shift__cancelled=False, shift__end__lte=now, shift__end__gt=since
        )
        .exclude(shift__in=CheckOut.objects.filter(person=person).values("shift"))
        .select_related("shift")
        .order_by("-shift__end")
        .first()
    )
    return assignment.shift if assignment else None


def awaits_check_out(person: User, shift: Shift, now: datetime) -> bool:
    """Whether `person` is still to answer the question after `shift` (one query)."""
    since = now - timedelta(hours=settings.CHECK_OUT_HOURS)
    return (
        since < shift.end <= now
        and not CheckOut.objects.filter(person=person, shift=shift).exists()
    )


def debrief_holders(now: datetime) -> list[User]:
    """Who holds a debrief position now; else on the next shift that has one; else []."""
    from shifts.models import Assignment

    taking = Assignment.objects.filter(
        slot__position__takes_debriefs=True, shift__cancelled=False, person__is_active=True
    ).select_related("person")
    current = [a.person for a in taking.filter(shift__start__lte=now, shift__end__gt=now)]
    if current:
        return current
    following = taking.filter(shift__start__gt=now).order_by("shift__start").first()
    if following is None:
        return []
    return [a.person for a in taking.filter(shift_id=following.shift_id)]


def answer(person: User, shift: Shift, choice: str, *, show_name: bool = False) -> bool | None:
    """Record that `person` answered for `shift`, count the answer anonymously, and
    send a debrief or break request when asked for. True when a debrief request
    reached whoever holds a debrief place, False otherwise (for a debrief: it went to
    the coordinators), None when they had answered already."""
    CheckOutAnswer(choice)  # ValueError for an unknown answer
    now = timezone.now()
    lives = timedelta(days=settings.AFTERCARE_REQUEST_DAYS)
    recipients: list[User] = []
    with transaction.atomic():
        _row, created = CheckOut.objects.get_or_create(
            person=person,
            shift=shift,
            defaults={"expires_at": shift.end + timedelta(hours=settings.CHECK_OUT_HOURS + 1)},
        )
        if not created:
            return None  # answered already (a second tab): counted once
        WeeklyCount.add(timezone.localdate(now), Measure.CHECK_OUT, [choice])
        if choice == CheckOutAnswer.DEBRIEF:
            recipients = [p for p in debrief_holders(now) if p.pk != person.pk]
            # Nobody holds a debrief place: one request to the coordinators (to=None).
            to: list[User | None] = [*recipients] or [None]
            AftercareRequest.objects.bulk_create(
                [
                    AftercareRequest(
                        kind=AftercareRequest.Kind.DEBRIEF,
                        asked_by=person,
                        to=holder,
                        created_at=now,
                        expires_at=now + lives,
                    )
                    for holder in to
                ]
            )
        elif choice == CheckOutAnswer.BREAK:
            AftercareRequest.objects.create(
                kind=AftercareRequest.Kind.BREAK,
                asked_by=person if show_name else None,
                to=None,
                created_at=now,
                expires_at=now + lives,
            )
    if choice == CheckOutAnswer.DEBRIEF:
        _email_debrief(person, recipients or list(holders_of("coordinate")))
    return bool(recipients)


def _email_debrief(person: User, recipients: list[User]) -> None:
    """Only who asked; nothing about any call. Only when email is configured."""
    addresses = [p.email for p in recipients if p.email]
    if not (settings.EMAIL_ENABLED and addresses):
        return
    try:
        send_mail(
            _("A teammate asked for a debrief"),
            _("%(name)s asked for a debrief after their shift. Reach out when you can.")
            % {"name": person},
            None,
            addresses,
        )
    except Exception:  # the request is in the app either way
        logger.exception("a debrief request email could not be sent")


def requests_for(person: User) -> QuerySet[AftercareRequest]:
    """Open requests `person` should see: addressed to them, or to the
    coordinators when they coordinate (one query when evaluated)."""
    if not person.is_authenticated:
        return AftercareRequest.objects.none()
    addressed = Q(to=person)
    if can(person, "coordinate"):
        addressed |= Q(to__isnull=True)
    return AftercareRequest.objects.filter(addressed, expires_at__gt=timezone.now()).select_related(
        "asked_by"
    )


def acknowledge(person: User, pk: int) -> bool:
    """Delete the request (and, for a debrief, the same person's request to anyone
    else): it has been seen. False when `person` may not see it."""
    found = requests_for(person).filter(pk=pk).first()
    if found is None:
        return False
    if found.kind == AftercareRequest.Kind.DEBRIEF:
        AftercareRequest.objects.filter(kind=found.kind, asked_by=found.asked_by).delete()
    else:
        found.delete()
    return True
