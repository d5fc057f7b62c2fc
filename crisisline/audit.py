"""A record of roster and people changes: who changed what, when, before → after.

Changes are caught by model signals, not by calls sprinkled through views: a
save or delete of a tracked model is recorded however it happens (a view, a
form, the Django admin, a management command, the shell), so a new view cannot
forget to record. Who did it comes from the request being served
(`ActorMiddleware` puts it in a context variable); outside a request the actor
is "the system". The few writes that bypass signals (a queryset `.update()` or
`bulk_create`) call `record()` themselves: handing a swapped place over in
shifts/places.py and generating shifts in shifts/roster.py.

Nothing from calls/ is tracked, ever: the list below is the whole of what is
recorded, and it names no call model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext_lazy as _

from crisisline.dates import local_date


class Kind(models.TextChoices):
    SHIFT = "shift", _("shift")
    ASSIGNMENT = "assignment", _("place on a shift")
    SWAP = "swap", _("swap")
    HOURS = "hours", _("hours")
    POSITION = "position", _("position")
    RULES = "rules", _("roster rules")
    PERSON = "person", _("person")
    ROLES = "roles", _("roles")
    SKILL = "skill", _("skill")


class Action(models.TextChoices):
    CREATED = "created", _("added")
    CHANGED = "changed", _("changed")
    DELETED = "deleted", _("removed")


class ChangeQuerySet(models.QuerySet["Change"]):
    def older_than(self, days: int) -> ChangeQuerySet:
        return self.filter(at__lt=timezone.now() - timedelta(days=days))

    def about_shift(self, shift_id: int) -> ChangeQuerySet:
        return self.filter(shift_ref=shift_id)

    def about_person(self, person_id: int) -> ChangeQuerySet:
        return self.filter(person_ref=person_id)


class Change(models.Model):
    """One recorded change. Plain values only: no link that a deletion could break,
    except the actor, whose name is kept beside it."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=120, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    action = models.CharField(max_length=10, choices=Action.choices)
    subject_type = models.CharField(max_length=40)
    subject_id = models.IntegerField(null=True)
    shift_ref = models.IntegerField(null=True, db_index=True)
    person_ref = models.IntegerField(null=True, db_index=True)
    summary = models.CharField(max_length=200)
    before = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        app_label = "crisisline"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "-at"], name="change_kind_at")]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.kind} {self.action} {self.summary}"
        )

    def rows(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) for each field recorded, in the reader's
        language and the line's time zone; empty values of an addition or removal
        are left out."""
        names = list(dict.fromkeys([*self.before, *self.after]))
        rows = []
        for name in names:
            before, after = self.before.get(name), self.after.get(name)
            if (
                self.action != Action.CHANGED
                and before in (None, "", [])
                and after in (None, "", [])
            ):
                continue
            rows.append((_label(self.subject_type, name), shown(before), shown(after)))
        return rows


def shown(value: Any) -> str:
    """A recorded plain value as a reader expects it: dates in their language, times
    in the line's zone, yes/no, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, str):
        instant = parse_datetime(value) if "T" in value else None
        if instant is not None:
            return (
                local_date(timezone.localtime(instant), "j F Y")
                + ", "
                + local_date(timezone.localtime(instant), "H:i")
            )
        day = parse_date(value) if len(value) == 10 else None
        if day is not None:
            return local_date(day, "j F Y")
        moment = parse_time(value) if len(value) == 8 and value.count(":") == 2 else None
        if moment is not None:
            return moment.strftime("%H:%M")
    return str(value)


# Labels for recorded fields whose model gives none a reader would recognise.
OWN_LABELS = {
    "roles": _("roles"),
    "person": _("person"),
    "slot": _("position"),
    "status": _("status"),
    "offered_by": _("offered by"),
    "taken_by": _("taken by"),
    "confirmed": _("confirmed"),
    "forwarding_order": _("place in the forwarding chain"),
}


def _label(subject_type: str, name: str) -> str:
    if name in OWN_LABELS:
        return str(OWN_LABELS[name])
    try:
        model = apps.get_model(subject_type)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, FieldDoesNotExist, ValueError):
        return name


# --- Who is acting --------------------------------------------------------------

_request: ContextVar[HttpRequest | None] = ContextVar("change_request", default=None)
_actor: ContextVar[Any] = ContextVar("change_actor", default=None)


class ActorMiddleware:
    """Makes the signed-in person of the request being served the actor of every
    change recorded while it runs (after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextlib.contextmanager
def acting_as(person: Any) -> Iterator[None]:
    """Records changes made inside as made by `person` (commands, tests)."""
    token = _actor.set(person)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    person = _actor.get()
    if person is None:
        request = _request.get()
        person = getattr(request, "user", None) if request is not None else None
    return person if person is not None and person.is_authenticated else None


# --- What is tracked --------------------------------------------------------------


def _shift_of(obj: Any) -> int | None:
    shift_id = getattr(obj, "shift_id", None)
    return int(shift_id) if shift_id is not None else None


def _swap_shift(obj: Any) -> int | None:
    try:
        return int(obj.assignment.shift_id)
    except ObjectDoesNotExist:
        return None


# model label → (kind, fields recorded, its shift id, its person id)
TRACKED: dict[
    str, tuple[Kind, tuple[str, ...], Callable[[Any], int | None], Callable[[Any], int | None]]
] = {
    "shifts.shift": (
        Kind.SHIFT,
        ("start", "end", "cancelled", "note"),
        lambda o: o.pk,
        lambda o: None,
    ),
    "shifts.assignment": (Kind.ASSIGNMENT, ("person", "slot"), _shift_of, lambda o: o.person_id),
    "shifts.swapoffer": (
        Kind.SWAP,
        ("status", "offered_by", "taken_by"),
        _swap_shift,
        lambda o: o.offered_by_id,
    ),
    "shifts.servicewindow": (
        Kind.HOURS,
        ("weekday", "start", "end"),
        lambda o: None,
        lambda o: None,
    ),
    "shifts.closure": (Kind.HOURS, ("date", "reason"), lambda o: None, lambda o: None),
    "shifts.position": (
        Kind.POSITION,
        (
            "name",
            "name_es",
            "min_people",
            "max_people",
            "required_skill",
            "holds_line",
            "trainee_place",
            "takes_debriefs",
            "forwarding_order",
            "order",
            "active",
        ),
        lambda o: None,
        lambda o: None,
    ),
    "shifts.rosterrules": (
        Kind.RULES,
        ("release_notice_hours", "swaps_need_approval", "duty_phone"),
        lambda o: None,
        lambda o: None,
    ),
    "crisisline.user": (
        Kind.PERSON,
        (
            "display_name",
            "pronouns",
            "phone",
            "email",
            "username",
            "max_shifts_per_month",
            "min_rest_hours",
            "language",
            "is_active",
        ),
        lambda o: None,
        lambda o: o.pk,
    ),
    "crisisline.skillgrant": (
        Kind.SKILL,
        ("skill", "granted_on", "renew_by", "confirmed"),
        lambda o: None,
        lambda o: o.person_id,
    ),
}


def _plain(obj: Any, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.is_relation:
        try:
            related = getattr(obj, name)
        except ObjectDoesNotExist:
            return getattr(obj, field.attname)
        if related is None:
            return None
        if name == "slot":
            try:
                return str(related.position)
            except ObjectDoesNotExist:
                return related.pk
        return str(related)
    value = field.value_from_object(obj)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return (
        DjangoJSONEncoder().default(value)
        if not isinstance(value, (str, int, bool, type(None)))
        else value
    )


def values_of(obj: Any) -> dict[str, Any]:
    _kind, fields, *_ = TRACKED[obj._meta.label_lower]
    return {name: _plain(obj, name) for name in fields}


def _summary(obj: Any) -> str:
    try:
        if obj._meta.label_lower == "shifts.assignment":
            return f"{obj.shift} · {obj.slot.position}"
        if obj._meta.label_lower == "shifts.swapoffer":
            return str(obj.assignment.shift)
        if obj._meta.label_lower == "crisisline.skillgrant":
            return f"{obj.person} · {obj.skill}"
        return str(obj)[:200]
    except ObjectDoesNotExist:
        return f"#{obj.pk}"


# shift_ref's default: read it off the subject (None is a real answer after a delete).
_OF_SUBJECT: Any = object()


def _row(
    actor: Any,
    subject: models.Model,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    kind: str | None = None,
    person_ref: int | None = None,
    shift_ref: Any = _OF_SUBJECT,
    summary: str | None = None,
) -> Change:
    """One unsaved change to `subject`; what is not given is read off the subject as
    TRACKED says."""
    label = subject._meta.label_lower
    tracked_kind, _fields, shift_of, person_of = TRACKED[label]
    return Change(
        actor=actor,
        actor_name=str(actor)[:120] if actor is not None else "",
        kind=kind or tracked_kind,
        action=action,
        subject_type=label,
        subject_id=subject.pk,
        shift_ref=shift_of(subject) if shift_ref is _OF_SUBJECT else shift_ref,
        person_ref=person_ref if person_ref is not None else person_of(subject),
        summary=(summary if summary is not None else _summary(subject))[:200],
        before=before,
        after=after,
    )


# Its signature mirrors _row's on purpose: it is _row for one change, saved.
def record(
    actor: Any,
    subject: models.Model,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    kind: str | None = None,
    person_ref: int | None = None,
) -> Change:
    """Record one change to `subject` (a tracked model instance)."""
    actor = actor if actor is not None else current_actor()
    change = _row(actor, subject, action, before, after, kind=kind, person_ref=person_ref)
    change.save(force_insert=True)
    return change


def record_created_many(objects: Sequence[models.Model]) -> None:
    """For rows made by bulk_create, which sends no signal (their pks must be set)."""
    actor = current_actor()
    rows = [_row(actor, obj, Action.CREATED, {}, values_of(obj)) for obj in objects]
    Change.objects.bulk_create(rows)


# --- Signals ---------------------------------------------------------------------


def _tracked(sender: Any) -> bool:
    return getattr(getattr(sender, "_meta", None), "label_lower", None) in TRACKED


def _before_save(
    sender: Any, instance: Any, update_fields: Any = None, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not _tracked(sender) or instance._state.adding or instance.pk is None:
        return
    _kind, fields, *_ = TRACKED[sender._meta.label_lower]
    if update_fields is not None and not set(update_fields) & set(fields):
        instance._change_before = None
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    instance._change_before = values_of(stored) if stored is not None else None


def _after_save(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not _tracked(sender):
        return
    after = values_of(instance)
    if created:
        record(None, instance, Action.CREATED, {}, after)
        return
    before = instance.__dict__.pop("_change_before", None)
    if before is None:
        return
    changed = [name for name in after if before.get(name) != after[name]]
    if changed:
        record(
            None,
            instance,
            Action.CHANGED,
            {name: before.get(name) for name in changed},
            {name: after[name] for name in changed},
        )


def _before_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _tracked(sender):
        instance._change_before = values_of(instance)
        instance._change_summary = _summary(instance)
        label = sender._meta.label_lower
        instance._change_shift = TRACKED[label][2](instance)


def _after_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not _tracked(sender):
        return
    _row(
        current_actor(),
        instance,
        Action.DELETED,
        getattr(instance, "_change_before", {}),
        {},
        shift_ref=getattr(instance, "_change_shift", None),
        summary=getattr(instance, "_change_summary", f"#{instance.pk}"),
    ).save(force_insert=True)


def _roles_changed(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    """Roles are Django groups: a person's set of groups before and after."""
    if reverse or not isinstance(instance, apps.get_model(settings.AUTH_USER_MODEL)):
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance._roles_before = sorted(instance.groups.values_list("name", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        before = instance.__dict__.pop("_roles_before", [])
        after = sorted(instance.groups.values_list("name", flat=True))
        if before != after:
            record(
                None, instance, Action.CHANGED, {"roles": before}, {"roles": after}, kind=Kind.ROLES
            )


def connect() -> None:
    """Listen to the tracked models only: a receiver for every model would stop
    Django's fast bulk deletes everywhere (the notes purge among them)."""
    for label in TRACKED:
        model = apps.get_model(label)
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"change_before_save_{label}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"change_after_save_{label}")
        pre_delete.connect(
            _before_delete, sender=model, dispatch_uid=f"change_before_delete_{label}"
        )
        post_delete.connect(
            _after_delete, sender=model, dispatch_uid=f"change_after_delete_{label}"
        )
    user_groups = apps.get_model(settings.AUTH_USER_MODEL).groups.through
    m2m_changed.connect(_roles_changed, sender=user_groups, dispatch_uid="change_roles")
