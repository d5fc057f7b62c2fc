"""Taking and leaving places: claims, assignments, releases, swaps.

Every change runs in a transaction that first locks the slot's row and then
the person's row (always in that order), so concurrent claims queue up: the
first fills the place, the others find it full. The database backs this with
a check constraint (taken <= capacity) and one assignment per person per shift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crisisline.models import User
from crisisline.skills import holding
from shifts.models import Assignment, RosterRules, Shift, Slot, SwapOffer, TimeOff


class PlaceError(Exception):
    """A refusal with a message for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Outcome:
    assignment: Assignment | None
    warnings: list[str]


def when(shift: Shift) -> str:
    start = timezone.localtime(shift.start)
    return f"{date_format(start, 'D j M')} {date_format(start, 'H:i')}"


# --- The person's own limits ----------------------------------------------------


def overlapping(person: User, shift: Shift, *, ignoring: Assignment | None = None) -> bool:
    others = Assignment.objects.filter(
        person=person,
        shift__cancelled=False,
        shift__start__lt=shift.end,
        shift__end__gt=shift.start,
    )
    if ignoring is not None:
        others = others.exclude(pk=ignoring.pk)
    return others.exists()


def limit_problems(person: User, shift: Shift, *, ignoring: Assignment | None = None) -> list[str]:
    """Time off, monthly maximum and minimum rest that taking `shift` would break."""
    problems = []
    local_start = timezone.localtime(shift.start)
    if TimeOff.objects.filter(
        person=person,
        first_day__lte=timezone.localtime(shift.end - timedelta(seconds=1)).date(),
        last_day__gte=local_start.date(),
    ).exists():
        problems.append(_("It falls in time off marked for %(name)s.") % {"name": person})
    mine = Assignment.objects.filter(person=person, shift__cancelled=False)
    if ignoring is not None:
        mine = mine.exclude(pk=ignoring.pk)
    if person.max_shifts_per_month is not None:
        month_start = local_start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        count = mine.filter(shift__start__gte=month_start, shift__start__lt=next_month).count()
        if count + 1 > person.max_shifts_per_month:
            problems.append(
                _("%(name)s would go over their limit of %(limit)s shifts this month.")
                % {"name": person, "limit": person.max_shifts_per_month}
            )
    rest = timedelta(hours=person.min_rest_hours)
    if rest and (
        mine.filter(shift__end__gt=shift.start - rest, shift__end__lte=shift.start).exists()
        or mine.filter(shift__start__gte=shift.end, shift__start__lt=shift.end + rest).exists()
    ):
        problems.append(
            _("%(name)s would have less than %(hours)s hours of rest between shifts.")
            % {"name": person, "hours": person.min_rest_hours}
        )
    return problems


# --- Claims and assignments ---------------------------------------------------


def _lock(slot_id: int, person: User) -> Slot:
    slot = Slot.objects.select_for_update().select_related("shift", "position").get(pk=slot_id)
    User.objects.select_for_update().filter(pk=person.pk).first()
    return slot


def _take(slot: Slot, person: User) -> Assignment:
    """Insert the assignment and count it; the constraints refuse overbooking."""
    assignment = Assignment.objects.create(slot=slot, shift=slot.shift, person=person)
    Slot.objects.filter(pk=slot.pk).update(taken=F("taken") + 1, urgent_since=None)
    return assignment


def _refuse_hard(
    slot: Slot,
    person: User,
    now: datetime,
    *,
    ignoring: Assignment | None = None,
    running_ok: bool = False,
):
    if slot.shift.cancelled:
        raise PlaceError(_("This shift is cancelled."))
    if slot.shift.is_past(now) or (slot.shift.has_started(now) and not running_ok):
        raise PlaceError(_("This shift has already started or is over."))
    if (
        Assignment.objects.filter(shift=slot.shift, person=person)
        .exclude(pk=getattr(ignoring, "pk", None))
        .exists()
    ):
        raise PlaceError(_("%(name)s is already on this shift.") % {"name": person})
    if slot.taken >= slot.capacity:
        raise PlaceError(_("Sorry, this place was just taken. Choose another one."))
    if overlapping(person, slot.shift, ignoring=ignoring):
        raise PlaceError(_("%(name)s already has a shift at that time.") % {"name": person})


def claim(slot_id: int, person: User) -> Assignment:
    """A responder takes a free place for themselves, within their own limits."""
    now = timezone.now()
    try:
        with transaction.atomic():
            slot = _lock(slot_id, person)
            _refuse_hard(slot, person, now)
            if not slot.is_qualified(person):
                raise PlaceError(
                    _("This place needs %(skill)s, which is not on your profile.")
                    % {"skill": slot.position.required_skill}
                )
            problems = limit_problems(person, slot.shift)
            if problems:
                raise PlaceError(" ".join(problems))
            return _take(slot, person)
    except IntegrityError as error:
        raise PlaceError(_("Sorry, this place was just taken. Choose another one.")) from error


def assign(slot_id: int, person: User) -> Outcome:
    """A coordinator puts someone in a place; limits become warnings, not refusals."""
    now = timezone.now()
    if not person.is_active:
        raise PlaceError(_("%(name)s is deactivated.") % {"name": person})
    try:
        with transaction.atomic():
            slot = _lock(slot_id, person)
            # A coordinator may hand a running shift's place to someone now, e.g.
            # when its holder was deactivated mid-shift.
            _refuse_hard(slot, person, now, running_ok=True)
            warnings = limit_problems(person, slot.shift)
            if not slot.is_qualified(person):
                warnings.insert(
                    0,
                    _("%(name)s does not have %(skill)s.")
                    % {"name": person, "skill": slot.position.required_skill},
                )
            return Outcome(_take(slot, person), warnings)
    except IntegrityError as error:
        raise PlaceError(_("Sorry, this place was just taken. Choose another one.")) from error


def _leave(assignment: Assignment, *, urgent: bool = False) -> Slot:
    # The swap offers first: deleting the assignment deletes them too, and a swap
    # being taken holds its offer before the place (_lock_offer), so taking them
    # in the other order could deadlock.
    list(SwapOffer.objects.select_for_update().filter(assignment_id=assignment.pk).order_by("pk"))
    slot = Slot.objects.select_for_update().get(pk=assignment.slot_id)
    # Delete by person as well: a swap may have handed the place on meanwhile.
    _count, deleted = Assignment.objects.filter(
        pk=assignment.pk, person_id=assignment.person_id
    ).delete()
    if not deleted.get(Assignment._meta.label):
        raise PlaceError(_("This place was already given up or handed on."))
    update = {"taken": F("taken") - 1}
    if urgent:
        update["urgent_since"] = timezone.now()
    Slot.objects.filter(pk=slot.pk).update(**update)
    slot.refresh_from_db()
    return slot


@transaction.atomic
def unassign(assignment: Assignment) -> Slot:
    return _leave(assignment)


def release(assignment: Assignment, now: datetime | None = None) -> Slot:
    """Give a place back with enough notice; closer than that, swap or can't make it."""
    now = now or timezone.now()
    shift = assignment.shift
    if shift.has_started(now):
        raise PlaceError(_("This shift has already started or is over."))
    notice = RosterRules.current().release_notice_hours
    if shift.start - now < timedelta(hours=notice):
        raise PlaceError(
            _(
                "Shifts can be released at least %(hours)s hours ahead. Offer it for a swap, "
                "or tell the team you can't make it."
            )
            % {"hours": notice}
        )
    with transaction.atomic():
        return _leave(assignment)


def cant_make_it(assignment: Assignment, request_url: str = "") -> tuple[Slot, int]:
    """Leave at short notice: the place becomes urgent, and qualified teammates
    are emailed when email is configured. Returns (slot, emails sent)."""
    now = timezone.now()
    if assignment.shift.has_started(now):
        raise PlaceError(_("This shift has already started: tell your teammates on call directly."))
    with transaction.atomic():
        SwapOffer.objects.filter(
            assignment=assignment, status__in=[SwapOffer.Status.OPEN, SwapOffer.Status.PENDING]
        ).update(status=SwapOffer.Status.WITHDRAWN)
        slot = _leave(assignment, urgent=True)
    sent = 0
    if settings.EMAIL_ENABLED:
        sent = _email_urgent(slot, exclude=assignment.person_id, url=request_url)
    return slot, sent


def qualified_people(slot: Slot):
    people = User.objects.filter(is_active=True, groups__permissions__codename="respond")
    if slot.position.required_skill_id:
        people = people.filter(holding(slot.position.required_skill_id))
    return people.distinct()


def _email_urgent(slot: Slot, *, exclude: int, url: str) -> int:
    slot = Slot.objects.select_related("shift", "position").get(pk=slot.pk)
    recipients = (
        qualified_people(slot)
        .exclude(pk=exclude)
        .exclude(email="")
        .exclude(assignments__shift=slot.shift)
    )
    subject = _("Urgent: a %(position)s place is open on %(when)s") % {
        "position": slot.position,
        "when": when(slot.shift),
    }
    body = _(
        "Someone can't make their shift. The %(position)s place on %(when)s is open.\n"
        "If you can take it, claim it here:\n\n%(url)s\n"
    ) % {"position": slot.position, "when": when(slot.shift), "url": url}
    messages = [(subject, body, None, [person.email]) for person in recipients]
    return send_mass_mail(messages, fail_silently=True)


def places_url(request) -> str:
    return request.build_absolute_uri(reverse("shifts:places"))


# --- Changing a shift's times or restoring it ------------------------------------


def _lock_shift(shift_id: int) -> tuple[Shift, list[Assignment]]:
    """Lock a shift the way claims do: its slots first, then the shift, then the
    people on it (by id), so a claim by one of them waits for this change, or
    this change waits for the claim and then sees it."""
    list(Slot.objects.select_for_update().filter(shift_id=shift_id).order_by("pk"))
    shift = Shift.objects.select_for_update().get(pk=shift_id)
    assignments = list(Assignment.objects.filter(shift=shift).select_related("person"))
    list(
        User.objects.select_for_update()
        .filter(pk__in=[a.person_id for a in assignments])
        .order_by("pk")
    )
    return shift, assignments


def _double_booked(shift: Shift, assignments: list[Assignment]) -> list[User]:
    return [a.person for a in assignments if overlapping(a.person, shift, ignoring=a)]


def move_shift(shift_id: int, start: datetime, end: datetime, note: str) -> Shift:
    """Change a shift's times, refusing when someone on it would then be on two
    shifts at once. A shift with exactly these times already existing raises
    IntegrityError."""
    with transaction.atomic():
        shift, assignments = _lock_shift(shift_id)
        if shift.is_past():
            raise PlaceError(_("This shift is over and can no longer be changed."))
        shift.start, shift.end, shift.note = start, end, note
        # A cancelled shift books nobody; restoring it checks (toggle_cancelled).
        clashes = [] if shift.cancelled else _double_booked(shift, assignments)
        if clashes:
            raise PlaceError(
                _("%(names)s would then be in two shifts at once.")
                % {"names": ", ".join(str(p) for p in clashes)}
            )
        shift.save(update_fields=["start", "end", "note"])
        return shift


def toggle_cancelled(shift_id: int) -> Shift:
    """Cancel a shift, or restore a cancelled one unless someone on it has since
    taken an overlapping shift."""
    with transaction.atomic():
        shift, assignments = _lock_shift(shift_id)
        if shift.is_past():
            raise PlaceError(_("This shift is over and can no longer be changed."))
        if shift.cancelled:
            clashes = _double_booked(shift, assignments)
            if clashes:
                raise PlaceError(
                    _(
                        "The shift was not restored: %(names)s would then be in two shifts "
                        "at once. Take them off one of the shifts first."
                    )
                    % {"names": ", ".join(str(p) for p in clashes)}
                )
        shift.cancelled = not shift.cancelled
        shift.save(update_fields=["cancelled"])
        return shift


# --- Swaps ---------------------------------------------------------------------


def offer_swap(assignment: Assignment) -> SwapOffer:
    if assignment.shift.has_started():
        raise PlaceError(_("This shift has already started or is over."))
    try:
        with transaction.atomic():
            return SwapOffer.objects.create(assignment=assignment, offered_by=assignment.person)
    except IntegrityError as error:
        raise PlaceError(_("This shift is already offered for a swap.")) from error


def withdraw_swap(offer: SwapOffer) -> None:
    if offer.status not in (SwapOffer.Status.OPEN, SwapOffer.Status.PENDING):
        raise PlaceError(_("This swap is no longer open."))
    offer.status = SwapOffer.Status.WITHDRAWN
    offer.save(update_fields=["status"])


def _hand_over(offer: SwapOffer, taker: User) -> None:
    """Move the assignment to `taker` (inside a transaction holding the locks)."""
    assignment = Assignment.objects.select_related("shift", "slot__position").get(
        pk=offer.assignment_id
    )
    if assignment.shift.has_started():
        raise PlaceError(_("This shift has already started or is over."))
    if assignment.shift.cancelled:
        raise PlaceError(_("This shift is cancelled."))
    if not assignment.slot.is_qualified(taker):
        raise PlaceError(
            _("This place needs %(skill)s, which %(name)s does not have.")
            % {"skill": assignment.slot.position.required_skill, "name": taker}
        )
    if Assignment.objects.filter(shift=assignment.shift, person=taker).exists():
        raise PlaceError(_("%(name)s is already on this shift.") % {"name": taker})
    if overlapping(taker, assignment.shift):
        raise PlaceError(_("%(name)s already has a shift at that time.") % {"name": taker})
    problems = limit_problems(taker, assignment.shift)
    if problems:
        raise PlaceError(" ".join(problems))
    assignment.person = taker
    assignment.reminded_at = None
    assignment.save(update_fields=["person", "reminded_at"])


def _lock_offer(offer_id: int, taker_id: int | None) -> SwapOffer:
    """Lock an offer, then its place, then the taker, in the order claims and
    shift changes use: a move of the offered shift waits for the hand-over, or
    the hand-over waits for the move and then checks the new times."""
    offer = SwapOffer.objects.select_for_update().get(pk=offer_id)
    place = Assignment.objects.filter(pk=offer.assignment_id).values("slot_id")
    list(Slot.objects.select_for_update().filter(pk__in=place))
    if taker_id is not None:
        User.objects.select_for_update().filter(pk=taker_id).first()
    return offer


def take_swap(offer_id: int, taker: User) -> SwapOffer:
    """Take an offered shift; done at once, or waiting for a coordinator."""
    try:
        with transaction.atomic():
            offer = _lock_offer(offer_id, taker.pk)
            if offer.status != SwapOffer.Status.OPEN:
                raise PlaceError(_("Sorry, this swap was just taken or withdrawn."))
            if offer.offered_by_id == taker.pk:
                raise PlaceError(_("This is your own shift."))
            if RosterRules.current().swaps_need_approval:
                # Check now so nobody waits for an approval that cannot happen.
                with transaction.atomic():
                    _hand_over(offer, taker)
                    transaction.set_rollback(True)
                offer.status = SwapOffer.Status.PENDING
            else:
                _hand_over(offer, taker)
                offer.status = SwapOffer.Status.DONE
            offer.taken_by = taker
            offer.save(update_fields=["status", "taken_by"])
            return offer
    except IntegrityError as error:
        raise PlaceError(_("Sorry, this swap was just taken or withdrawn.")) from error


def decide_swap(offer_id: int, approve: bool) -> SwapOffer:
    try:
        with transaction.atomic():
            offer = _lock_offer(offer_id, None)
            if offer.status != SwapOffer.Status.PENDING:
                raise PlaceError(_("This swap is not waiting for approval."))
            if approve:
                taker = User.objects.select_for_update().get(pk=offer.taken_by_id)
                _hand_over(offer, taker)
                offer.status = SwapOffer.Status.DONE
            else:
                offer.status = SwapOffer.Status.DECLINED
            offer.save(update_fields=["status"])
            return offer
    except IntegrityError as error:
        raise PlaceError(_("The swap could not be made: the roster changed. Try again.")) from error
