"""Taking and leaving places: claims, assignments, releases, swaps.

Every change runs in a transaction that first locks the slot's row and then
the person's row (always in that order), so concurrent claims queue up: the
first fills the place, the others find it full. The database backs this with
a check constraint (taken <= capacity) and one assignment per person per shift.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import Combinable
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from crisisline import audit
from crisisline.dates import local_date
from crisisline.i18n import language_of, name_in_reading_language
from crisisline.models import User
from crisisline.roles import can, holders_of
from crisisline.skills import HeldSkills, skill_spans_of
from crisisline.skills import held_skill_ids as skills_held_by
from shifts.models import (
    Assignment,
    GivenUp,
    LineGapAlert,
    RosterRules,
    Shift,
    Slot,
    SwapOffer,
    TimeOff,
    place_name,
)


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
    return f"{local_date(start, 'D j M')} {date_format(start, 'H:i')}"


# --- Who may take a place: the one rule ------------------------------------------
#
# `reasons_against` is the rule. Everything that shows, offers or makes a place
# asks it: a claim, the open places and the block on "On call now", swap offers
# and taking them, the coordinators' picker. The loaders below gather what it
# weighs in a fixed number of queries, for one place or a list of them.

NOT_RESPONDER = "not-responder"
CANCELLED = "cancelled"
STARTED = "started"
ALREADY_ON = "already-on"
FULL = "full"
GAVE_UP = "gave-up"
UNQUALIFIED = "unqualified"
TIME_OFF = "time-off"
CLASH = "clash"
OVER_MAXIMUM = "over-maximum"
TOO_LITTLE_REST = "rest"
ALREADY_TRAINED = "already-trained"

# A coordinator may still put someone in a place against these (and is told);
# the others nobody can get past.
WARNINGS = frozenset(
    {
        NOT_RESPONDER,
        GAVE_UP,
        UNQUALIFIED,
        ALREADY_TRAINED,
        TIME_OFF,
        OVER_MAXIMUM,
        TOO_LITTLE_REST,
    }
)

# How far back and ahead a person's own shifts bear on a place: the rest rule
# (at most 168 hours, see User.min_rest_hours) and the calendar month.
MAX_REST = timedelta(hours=168)


@dataclass(frozen=True)
class Reason:
    """Why a person may not take a place: `message` speaks to them and says what
    they can do instead; `note` is the short form a coordinator reads about them."""

    kind: str
    message: str
    note: str


@dataclass(frozen=True)
class Place:
    """A place as the rule weighs it: an open place, or a place offered for a swap
    (`swap_id`), which taking hands over from its holder."""

    slot_id: int
    shift_id: int
    start: datetime
    end: datetime
    cancelled: bool
    position: str
    skill_id: int | None
    skill: str
    free: int
    urgent_since: datetime | None = None
    swap_id: int | None = None
    offered_by: str = ""
    # The trainee (shadow) place of a position: for someone who does not hold
    # its skill yet; those who do take one of its ordinary places instead.
    trainee: bool = False

    @property
    def name(self) -> str:
        return place_name(self.position, self.trainee)


@dataclass(frozen=True)
class Booking:
    """One place a person holds."""

    shift_id: int
    start: datetime
    end: datetime
    cancelled: bool
    position: str = ""


@dataclass
class Standing:
    """A person as the rule weighs them: their limits and the places they hold
    around the time asked about."""

    pk: int
    responds: bool
    max_shifts_per_month: int | None
    min_rest_hours: int
    bookings: list[Booking]


@dataclass(frozen=True)
class Facts:
    """What is known of one person and one place together."""

    holds_skill: bool
    away: bool
    gave_up: bool


def local_day(instant: datetime) -> date:
    """The line's local day of `instant`: the day a shift starting then is judged on
    (which skills count for it)."""
    return timezone.localtime(instant).date()


def month_of(instant: datetime) -> tuple[int, int]:
    """The local (year, month) a shift starting at `instant` counts towards."""
    local = timezone.localtime(instant)
    return local.year, local.month


def overlap(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    return start < other_end and other_start < end


def too_little_rest(hours: int, earlier_end: datetime, later_start: datetime) -> bool:
    """True when the rest from one shift's end to the next one's start is under `hours`
    (in seconds: a report asks this for every place, and a timedelta each time adds up)."""
    return 0 <= (later_start - earlier_end).total_seconds() < hours * 3600


def over_maximum(limit: int | None, shifts_in_month: int) -> bool:
    return limit is not None and shifts_in_month > limit


def reasons_against(who: Standing, place: Place, facts: Facts, now: datetime) -> list[Reason]:
    """Everything that stops `who` taking `place` at `now`, the weightiest first;
    an empty list means they may."""
    reasons: list[Reason] = []

    def add(kind: str, message: str, note: str) -> None:
        reasons.append(Reason(kind, message, note))

    if not who.responds:
        add(
            NOT_RESPONDER,
            _("Only responders take places. Ask a coordinator for the responder role."),
            _("not a responder"),
        )
    if place.cancelled:
        add(CANCELLED, _("This shift is cancelled. Choose another place."), _("shift cancelled"))
    elif place.start <= now:
        add(
            STARTED,
            _("This shift has already started or is over. Choose another place."),
            _("shift already started"),
        )
    if any(booking.shift_id == place.shift_id for booking in who.bookings):
        add(ALREADY_ON, _("You're already on this shift."), _("already on this shift"))
    elif place.free <= 0:
        add(FULL, _("Sorry, this place was just taken. Choose another one."), _("no place left"))
    if facts.gave_up:
        add(
            GAVE_UP,
            _("You gave this place up. If you can make it after all, ask a coordinator."),
            _("gave this place up"),
        )
    if place.trainee and place.skill_id is not None:
        if facts.holds_skill:
            add(
                ALREADY_TRAINED,
                _(
                    "You already hold %(skill)s: take an ordinary %(position)s place, "
                    "and leave this one to someone learning."
                )
                % {"skill": place.skill, "position": place.position},
                _("already holds %(skill)s") % {"skill": place.skill},
            )
    elif not facts.holds_skill:
        add(
            UNQUALIFIED,
            _("This place needs %(skill)s, which you don't hold yet. Ask a trainer about it.")
            % {"skill": place.skill},
            _("lacks %(skill)s") % {"skill": place.skill},
        )
    if facts.away:
        add(
            TIME_OFF,
            _("It falls in your time off. Change your time off first if you can make it."),
            _("time off then"),
        )
    others = [b for b in who.bookings if not b.cancelled and b.shift_id != place.shift_id]
    if any(overlap(b.start, b.end, place.start, place.end) for b in others):
        add(
            CLASH,
            _("You already have a shift at that time. Offer that one for a swap first."),
            _("already on a shift then"),
        )
    limit = who.max_shifts_per_month
    if limit is not None:
        month = month_of(place.start)
        if over_maximum(limit, sum(1 for b in others if month_of(b.start) == month) + 1):
            add(
                OVER_MAXIMUM,
                _(
                    "You'd go over your %(limit)s shifts this month. Ask a coordinator, "
                    "or raise your limit on your profile."
                )
                % {"limit": limit},
                _("would go over %(limit)s shifts this month") % {"limit": limit},
            )
    hours = who.min_rest_hours
    if any(
        too_little_rest(hours, b.end, place.start) or too_little_rest(hours, place.end, b.start)
        for b in others
    ):
        add(
            TOO_LITTLE_REST,
            _(
                "You'd have less than %(hours)s hours of rest between shifts. "
                "Ask a coordinator if you still want it."
            )
            % {"hours": who.min_rest_hours},
            _("would rest less than %(hours)s h") % {"hours": who.min_rest_hours},
        )
    return reasons


def about(person: User, reason: Reason) -> str:
    """A reason as a coordinator is told it about someone."""
    return _("%(name)s: %(note)s.") % {"name": person, "note": reason.note}


# --- Loading what the rule weighs -------------------------------------------------


def _month_start(instant: datetime) -> datetime:
    local = timezone.localtime(instant)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _bookings(assignments: QuerySet[Assignment]) -> list[tuple[int, Booking]]:
    rows = assignments.order_by("shift__start", "pk").values_list(
        "person_id",
        "shift_id",
        "shift__start",
        "shift__end",
        "shift__cancelled",
        name_in_reading_language("slot__position"),
        "slot__trainee",
    )
    return [
        (row[0], Booking(row[1], row[2], row[3], row[4], place_name(row[5], row[6])))
        for row in rows
    ]


def standing_of(person: User, since: datetime) -> Standing:
    """`person` with every place they hold on shifts ending after `since` (one query)."""
    rows = _bookings(Assignment.objects.filter(person=person, shift__end__gt=since))
    return Standing(
        person.pk,
        can(person, "respond"),
        person.max_shifts_per_month,
        person.min_rest_hours,
        [booking for _pk, booking in rows],
    )


def reach_back(start: datetime) -> datetime:
    """From when a person's own shifts bear on places starting at `start` or later:
    the start of its month (the monthly maximum), less the longest rest."""
    return _month_start(start) - MAX_REST


def _place_fields(path: str = "") -> list[str | Combinable]:
    """What a place is read with, from slots (`path` "") or through another model."""
    return [
        f"{path}id",
        f"{path}shift",
        f"{path}shift__start",
        f"{path}shift__end",
        f"{path}shift__cancelled",
        name_in_reading_language(f"{path}position"),
        f"{path}position__required_skill",
        name_in_reading_language(f"{path}position__required_skill"),
        f"{path}capacity",
        f"{path}taken",
        f"{path}urgent_since",
        f"{path}trainee",
    ]


def _takeable(
    person: User,
    who: Standing | None,
    known: Circumstances | None,
    found: list[Place],
    now: datetime,
) -> list[Place]:
    """The places among `found` (in their order) that nothing stands against for `person`."""
    who = who or standing_of(person, reach_back(now))
    known = known or circumstances_of(person, min((p.start for p in found), default=now))
    return [place for place in found if not reasons_against(who, place, known.facts(place), now)]


def _place(head: Sequence[Any], free: int, **extra: Any) -> Place:
    """A place from the first eight columns `_place_fields` reads (its slot to its skill)."""
    slot, shift, start, end, cancelled, position, skill_id, skill = head
    return Place(slot, shift, start, end, cancelled, position, skill_id, skill or "", free, **extra)


def _slot_places(slots: QuerySet[Slot]) -> list[Place]:
    places = []
    for row in slots.values_list(*_place_fields()):
        capacity, taken, urgent, trainee = row[8:]
        places.append(_place(row[:8], capacity - taken, urgent_since=urgent, trainee=trainee))
    return places


# Read like _slot_places, from offers: a swap is one place, its holder's, with who offers it.
def _swap_places(offers: QuerySet[SwapOffer]) -> list[Place]:
    fields = _place_fields("assignment__slot__")
    places = []
    for row in offers.values_list(*fields, "pk", "offered_by__display_name"):
        trainee, offer, offered_by = row[11:]
        # Taking an offer hands over its holder's place: there is always one.
        places.append(_place(row[:8], 1, swap_id=offer, offered_by=offered_by, trainee=trainee))
    return places


@dataclass(frozen=True)
class Circumstances:
    """What bears on one person taking any of some places, read once for all of
    them: their time off, the places they gave up, and when the places' skills
    count for them (crisisline.skills)."""

    person_id: int
    time_off: list[TimeOff]
    gave_up: set[int]
    skills: HeldSkills

    def facts(self, place: Place) -> Facts:
        return Facts(
            holds_skill=place.skill_id is None
            or self.skills.holds(self.person_id, place.skill_id, local_day(place.start)),
            away=any(leave.covers(place.start, place.end) for leave in self.time_off),
            gave_up=place.slot_id in self.gave_up,
        )


def circumstances_of(person: User, since: datetime) -> Circumstances:
    """What bears on `person` taking places that start from `since` on: their time
    off from that day, the places they gave up on shifts ending after it, and when
    each of their skills counts (three queries, whatever the places)."""
    return Circumstances(
        person.pk,
        list(TimeOff.objects.filter(person=person, last_day__gte=local_day(since))),
        set(
            GivenUp.objects.filter(person=person, slot__shift__end__gt=since).values_list(
                "slot_id", flat=True
            )
        ),
        skill_spans_of(person),
    )


def places_open_to(
    person: User,
    slots: QuerySet[Slot],
    now: datetime,
    who: Standing | None = None,
    known: Circumstances | None = None,
) -> list[Place]:
    """The places among `slots` (in their order) that `person` may take: one query
    for the places, three for what bears on them (`circumstances_of`) and one for
    their standing, unless these are given."""
    return _takeable(person, who, known, _slot_places(slots), now)


def swaps_open_to(
    person: User,
    offers: QuerySet[SwapOffer],
    now: datetime,
    who: Standing | None = None,
    known: Circumstances | None = None,
) -> list[Place]:
    """The offered places among `offers` that `person` may take (as `places_open_to`)."""
    return _takeable(person, who, known, _swap_places(offers), now)


def _reasons_against_one(
    person: User, found: list[Place], gone: str, now: datetime | None
) -> list[Reason]:
    """What stands against `person` taking the one place in `found` (`gone`: the
    refusal when it is not there any more)."""
    if not found:
        raise PlaceError(gone)
    place = found[0]
    who = standing_of(person, reach_back(place.start))
    facts = circumstances_of(person, place.start).facts(place)
    return reasons_against(who, place, facts, now or timezone.now())


def why_not(person: User, slot_id: int, now: datetime | None = None) -> list[Reason]:
    """Why `person` may not take the place `slot_id` (empty: they may)."""
    found = _slot_places(Slot.objects.filter(pk=slot_id))
    return _reasons_against_one(person, found, _("This place no longer exists."), now)


def why_not_swap(person: User, offer_id: int, now: datetime | None = None) -> list[Reason]:
    """Why `person` may not take the place offered as `offer_id` (empty: they may)."""
    found = _swap_places(SwapOffer.objects.filter(pk=offer_id))
    gone = _("Sorry, this swap was just taken or withdrawn.")
    return _reasons_against_one(person, found, gone, now)


@dataclass
class Candidate:
    """Someone a coordinator might put in a place, with what stands against it."""

    person: User
    reasons: list[Reason]

    @property
    def blocked(self) -> bool:
        return bool(self.reasons)

    @property
    def notes(self) -> list[str]:
        return [reason.note for reason in self.reasons]

    @property
    def label(self) -> str:
        """The name, then what stands against them: "Sam — time off then"."""
        name = str(self.person)
        return f"{name} — {'; '.join(self.notes)}" if self.reasons else name


def held_skill_ids(
    people: Iterable[User], skill_ids: Collection[int], on: date
) -> dict[int, set[int]]:
    """Which of `skill_ids` each of `people` holds on `on`, as crisisline.skills
    says (granted and confirmed, not lapsed), in one query (unsaved `User(pk=…)`
    will do)."""
    people = list(people)
    held: dict[int, set[int]] = {person.pk: set() for person in people}
    if not skill_ids:
        return held
    wanted = set(skill_ids)
    for pk, skills in skills_held_by([person.pk for person in people], on).items():
        held[pk] = skills & wanted
    return held


def candidates_for(slot: Slot, now: datetime | None = None) -> list[Candidate]:
    """Every active responder, each with the reasons against them taking `slot`
    (`shift`, `position__required_skill` loaded); those with none first, then by
    name. A fixed number of queries, whatever the number of people."""
    now = now or timezone.now()
    shift, position = slot.shift, slot.position
    place = Place(
        slot.pk,
        shift.pk,
        shift.start,
        shift.end,
        shift.cancelled,
        str(position),
        position.required_skill_id,
        str(position.required_skill or ""),
        slot.free,
        slot.urgent_since,
        trainee=slot.trainee,
    )
    people = list(holders_of("respond").order_by("display_name", "pk"))
    ids = [person.pk for person in people]
    lo = reach_back(shift.start)
    hi = max(_month_start(_month_start(shift.start) + timedelta(days=32)), shift.end) + MAX_REST
    bookings: dict[int, list[Booking]] = {pk: [] for pk in ids}
    for pk, booking in _bookings(
        Assignment.objects.filter(person_id__in=ids, shift__end__gt=lo, shift__start__lt=hi)
    ):
        bookings[pk].append(booking)
    required = position.required_skill_id
    held = held_skill_ids(people, [required] if required else [], local_day(shift.start))
    away = {
        leave.person_id
        for leave in TimeOff.objects.filter(
            person_id__in=ids,
            first_day__lte=timezone.localtime(shift.end).date(),
            last_day__gte=timezone.localtime(shift.start).date(),
        )
        if leave.covers(shift.start, shift.end)
    }
    gave_up = set(GivenUp.objects.filter(slot=slot).values_list("person_id", flat=True))
    # A coordinator may fill a place on a shift running now (see assign).
    running = not shift.is_past(now)
    candidates = []
    for person in people:
        who = Standing(
            person.pk, True, person.max_shifts_per_month, person.min_rest_hours, bookings[person.pk]
        )
        holds = required is None or required in held[person.pk]
        facts = Facts(holds, person.pk in away, person.pk in gave_up)
        reasons = reasons_against(who, place, facts, now)
        if running:
            reasons = [reason for reason in reasons if reason.kind != STARTED]
        candidates.append(Candidate(person, reasons))
    candidates.sort(key=lambda candidate: candidate.blocked)  # stable: by name within
    return candidates


# --- Claims and assignments ---------------------------------------------------


def _lock(slot_id: int, person: User) -> Slot:
    try:
        slot = Slot.objects.select_for_update().select_related("shift", "position").get(pk=slot_id)
    except Slot.DoesNotExist as gone:
        raise PlaceError(_("This place no longer exists.")) from gone
    User.objects.select_for_update().filter(pk=person.pk).first()
    return slot


def _take(slot: Slot, person: User) -> Assignment:
    """Insert the assignment and count it; the constraints refuse overbooking."""
    assignment = Assignment.objects.create(slot=slot, shift=slot.shift, person=person)
    Slot.objects.filter(pk=slot.pk).update(taken=F("taken") + 1, urgent_since=None)
    # A filled place ends its gap: if it opens again, that is a new gap, announced again.
    LineGapAlert.objects.filter(slot_id=slot.pk).delete()
    return assignment


def claim(slot_id: int, person: User) -> Assignment:
    """A responder takes a free place for themselves, if the rule lets them."""
    now = timezone.now()
    try:
        with transaction.atomic():
            slot = _lock(slot_id, person)
            reasons = why_not(person, slot_id, now)
            if reasons:
                raise PlaceError(reasons[0].message)
            return _take(slot, person)
    except IntegrityError as error:
        raise PlaceError(_("Sorry, this place was just taken. Choose another one.")) from error


def assign(slot_id: int, person: User) -> Outcome:
    """A coordinator puts someone in a place: what only a coordinator may decide
    (WARNINGS) becomes a warning, anything else a refusal. Unlike a claim, a
    place on a shift running now may be filled; one on a shift that is over may not."""
    now = timezone.now()
    if not person.is_active:
        raise PlaceError(_("%(name)s is deactivated.") % {"name": person})
    try:
        with transaction.atomic():
            slot = _lock(slot_id, person)
            reasons = why_not(person, slot_id, now)
            if not slot.shift.is_past(now):
                # A coordinator may hand a running shift's place to someone now,
                # e.g. when its holder was deactivated mid-shift; claims may not.
                reasons = [reason for reason in reasons if reason.kind != STARTED]
            refusals = [reason for reason in reasons if reason.kind not in WARNINGS]
            if refusals:
                raise PlaceError(about(person, refusals[0]))
            return Outcome(_take(slot, person), [about(person, reason) for reason in reasons])
    except IntegrityError as error:
        raise PlaceError(_("Sorry, this place was just taken. Choose another one.")) from error


def _leave(assignment: Assignment, *, urgent: bool = False, given_up: bool = False) -> Slot:
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
    update: dict[str, Any] = {"taken": F("taken") - 1}
    if urgent:
        update["urgent_since"] = timezone.now()
    Slot.objects.filter(pk=slot.pk).update(**update)
    if given_up:
        GivenUp.objects.get_or_create(slot=slot, person_id=assignment.person_id)
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
        return _leave(assignment, given_up=True)


def cant_make_it(assignment: Assignment, request_url: str = "") -> tuple[Slot, int]:
    """Leave at short notice: the place becomes urgent, and teammates who may take
    it are emailed when email is configured. Returns (slot, emails sent)."""
    now = timezone.now()
    if assignment.shift.has_started(now):
        raise PlaceError(_("This shift has already started: tell your teammates on call directly."))
    with transaction.atomic():
        SwapOffer.objects.filter(
            assignment=assignment, status__in=[SwapOffer.Status.OPEN, SwapOffer.Status.PENDING]
        ).update(status=SwapOffer.Status.WITHDRAWN)
        slot = _leave(assignment, urgent=True, given_up=True)
    sent = 0
    if settings.EMAIL_ENABLED:
        sent = _email_urgent(slot, url=request_url)
    return slot, sent


def places_to_free(person: User, now: datetime | None = None) -> QuerySet[Assignment]:
    """The places `person` holds on shifts not yet over, a running one included,
    earliest first: what deactivating them gives back to the team."""
    return (
        Assignment.objects.filter(person=person, shift__end__gt=now or timezone.now())
        .select_related("shift", "slot__position")
        .order_by("shift__start")
    )


@transaction.atomic
def free_places_of(person: User) -> int:
    """Give back every place `person` holds on shifts not yet over; returns how many.

    A running shift's place is freed too: its holder is no longer there. Places
    starting within the release notice, or already running, become urgent, so
    teammates see them first.
    """
    now = timezone.now()
    notice = timedelta(hours=RosterRules.current().release_notice_hours)
    freed = 0
    for assignment in places_to_free(person, now):
        slot = Slot.objects.select_for_update().get(pk=assignment.slot_id)
        _count, deleted = Assignment.objects.filter(pk=assignment.pk, person=person).delete()
        if not deleted.get(Assignment._meta.label):
            continue
        update: dict[str, Any] = {"taken": F("taken") - 1}
        if assignment.shift.start - now < notice and not assignment.shift.cancelled:
            update["urgent_since"] = now
        Slot.objects.filter(pk=slot.pk).update(**update)
        freed += 1
    # One by one rather than .update(), so the record of changes sees each.
    for offer in SwapOffer.objects.filter(taken_by=person, status=SwapOffer.Status.PENDING):
        offer.status, offer.taken_by = SwapOffer.Status.OPEN, None
        offer.save(update_fields=["status", "taken_by"])
    return freed


def seat(slot_id: int, person: User) -> Assignment:
    """Put someone straight into a place, asking no rule: only for the demo, which
    fills a shift already running (claims refuse started shifts)."""
    with transaction.atomic():
        return _take(_lock(slot_id, person), person)


def _email_urgent(slot: Slot, *, url: str) -> int:
    slot = Slot.objects.select_related("shift", "position__required_skill").get(pk=slot.pk)
    recipients = [
        candidate.person
        for candidate in candidates_for(slot)
        if not candidate.blocked and candidate.person.email
    ]
    messages = []
    for person in recipients:
        with override(language_of(person)):  # each in their own language
            subject = _("Urgent: a %(position)s place is open on %(when)s") % {
                "position": slot.name,
                "when": when(slot.shift),
            }
            body = _(
                "Someone can't make their shift. The %(position)s place on %(when)s is open.\n"
                "If you can take it, claim it here:\n\n%(url)s\n"
            ) % {"position": slot.name, "when": when(slot.shift), "url": url}
        messages.append((subject, body, None, [person.email]))
    return send_mass_mail(messages, fail_silently=True)


def places_url(request: HttpRequest) -> str:
    return str(request.build_absolute_uri(reverse("shifts:places")))


# --- Changing a shift's times, cancelling and restoring it -------------------------


def _lock_shift(shift_id: int) -> tuple[Shift, list[Assignment]]:
    """Lock a shift the way claims do: its slots first, then the shift, then the
    people on it (by id), so a claim by one of them waits for this change, or
    this change waits for the claim and then sees it."""
    list(Slot.objects.select_for_update().filter(shift_id=shift_id).order_by("pk"))
    try:
        shift = Shift.objects.select_for_update().get(pk=shift_id)
    except Shift.DoesNotExist as gone:
        raise PlaceError(_("This shift no longer exists.")) from gone
    assignments = list(Assignment.objects.filter(shift=shift).select_related("person"))
    list(
        User.objects.select_for_update()
        .filter(pk__in=[a.person_id for a in assignments])
        .order_by("pk")
    )
    return shift, assignments


def _double_booked(shift: Shift, assignments: list[Assignment]) -> list[User]:
    """The people on `shift` who also hold a place on a live shift overlapping it."""
    clashing = set(
        Assignment.objects.filter(
            person_id__in=[a.person_id for a in assignments],
            shift__cancelled=False,
            shift__start__lt=shift.end,
            shift__end__gt=shift.start,
        )
        .exclude(shift=shift)
        .values_list("person_id", flat=True)
    )
    return [a.person for a in assignments if a.person_id in clashing]


def move_shift(shift_id: int, start: datetime, end: datetime, note: str) -> Shift:
    """Change a shift's times, refusing when someone on it would then be on two
    shifts at once. A shift with exactly these times already existing raises
    IntegrityError."""
    with transaction.atomic():
        shift, assignments = _lock_shift(shift_id)
        if shift.is_past():
            raise PlaceError(_("This shift is over and can no longer be changed."))
        shift.start, shift.end, shift.note = start, end, note
        # A cancelled shift books nobody; restoring it checks (restore_shift).
        clashes = [] if shift.cancelled else _double_booked(shift, assignments)
        if clashes:
            raise PlaceError(
                _("%(names)s would then be in two shifts at once.")
                % {"names": ", ".join(str(p) for p in clashes)}
            )
        shift.save(update_fields=["start", "end", "note"])
        return shift


def cancel_shift(shift_id: int) -> Shift:
    """Cancel a shift; cancelling it again changes nothing and says so."""
    with transaction.atomic():
        shift, _assignments = _lock_shift(shift_id)
        if shift.is_past():
            raise PlaceError(_("This shift is over and can no longer be changed."))
        if shift.cancelled:
            raise PlaceError(_("This shift is already cancelled."))
        shift.cancelled = True
        shift.save(update_fields=["cancelled"])
        return shift


def restore_shift(shift_id: int) -> Shift:
    """Restore a cancelled shift, unless someone on it has since taken an
    overlapping shift; restoring it again changes nothing and says so."""
    with transaction.atomic():
        shift, assignments = _lock_shift(shift_id)
        if shift.is_past():
            raise PlaceError(_("This shift is over and can no longer be changed."))
        if not shift.cancelled:
            raise PlaceError(_("This shift is not cancelled."))
        clashes = _double_booked(shift, assignments)
        if clashes:
            raise PlaceError(
                _(
                    "The shift was not restored: %(names)s would then be in two shifts "
                    "at once. Take them off one of the shifts first."
                )
                % {"names": ", ".join(str(p) for p in clashes)}
            )
        shift.cancelled = False
        shift.save(update_fields=["cancelled"])
        return shift


# --- Swaps ---------------------------------------------------------------------
#
# Offering, withdrawing, taking and deciding each lock the offer first and read
# its state again under the lock, so whoever comes second is refused with the
# ordinary message: never two successes, and never an error page.

LIVE = (SwapOffer.Status.OPEN, SwapOffer.Status.PENDING)


def offer_swap(assignment: Assignment) -> SwapOffer:
    if assignment.shift.has_started():
        raise PlaceError(_("This shift has already started or is over."))
    try:
        with transaction.atomic():
            if not Assignment.objects.filter(
                pk=assignment.pk, person_id=assignment.person_id
            ).exists():
                raise PlaceError(_("This place was already given up or handed on."))
            return SwapOffer.objects.create(assignment=assignment, offered_by=assignment.person)
    except IntegrityError as error:
        raise PlaceError(_("This shift is already offered for a swap.")) from error


def withdraw_swap(offer_id: int, person: User) -> SwapOffer:
    with transaction.atomic():
        offer = SwapOffer.objects.select_for_update().filter(pk=offer_id, offered_by=person).first()
        if offer is None or offer.status not in LIVE:
            raise PlaceError(_("This swap is no longer open: it was taken or withdrawn."))
        offer.status = SwapOffer.Status.WITHDRAWN
        offer.save(update_fields=["status"])
        return offer


def _lock_offer(offer_id: int, taker_id: int | None) -> SwapOffer:
    """Lock an offer, then its place, then the taker, in the order claims and
    shift changes use: a move of the offered shift waits for the hand-over, or
    the hand-over waits for the move and then checks the new times. An offer
    deleted meanwhile (its holder left the place) is refused like a taken one."""
    offer = SwapOffer.objects.select_for_update().filter(pk=offer_id).first()
    if offer is None:
        raise PlaceError(_("Sorry, this swap was just taken or withdrawn."))
    place = Assignment.objects.filter(pk=offer.assignment_id).values("slot_id")
    list(Slot.objects.select_for_update().filter(pk__in=place))
    if taker_id is not None:
        User.objects.select_for_update().filter(pk=taker_id).first()
    return offer


def _hand_over(offer: SwapOffer, taker: User) -> None:
    """Move the offered place to `taker` (inside a transaction holding the locks)."""
    moved = Assignment.objects.filter(pk=offer.assignment_id, person_id=offer.offered_by_id).update(
        person=taker, reminded_at=None
    )
    if not moved:
        raise PlaceError(_("Sorry, this swap was just taken or withdrawn."))
    # .update() sends no signal: the record of changes is told here (crisisline/audit.py).
    place = Assignment.objects.select_related("shift", "slot__position").get(pk=offer.assignment_id)
    audit.record(
        None, place, audit.Action.CHANGED, {"person": str(offer.offered_by)}, {"person": str(taker)}
    )


def take_swap(offer_id: int, taker: User) -> SwapOffer:
    """Take an offered shift; done at once, or waiting for a coordinator."""
    try:
        with transaction.atomic():
            offer = _lock_offer(offer_id, taker.pk)
            if offer.status != SwapOffer.Status.OPEN:
                raise PlaceError(_("Sorry, this swap was just taken or withdrawn."))
            if offer.offered_by_id == taker.pk:
                raise PlaceError(_("This is your own shift."))
            reasons = why_not_swap(taker, offer_id)
            if reasons:
                raise PlaceError(reasons[0].message)
            if RosterRules.current().swaps_need_approval:
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
                assert offer.taken_by_id is not None  # pending means someone took it
                taker = User.objects.select_for_update().get(pk=offer.taken_by_id)
                reasons = why_not_swap(taker, offer_id)
                if reasons:
                    raise PlaceError(about(taker, reasons[0]))
                _hand_over(offer, taker)
                offer.status = SwapOffer.Status.DONE
            else:
                offer.status = SwapOffer.Status.DECLINED
            offer.save(update_fields=["status"])
            return offer
    except IntegrityError as error:
        raise PlaceError(_("The swap could not be made: the roster changed. Try again.")) from error
