"""Every database constraint says in words what it refuses, in both languages,
and the forms that could trip one say it once, where the person can fix it,
never "Constraint “…” is violated."."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import UniqueConstraint
from django.utils import translation

from crisisline.models import Skill
from shifts.models import Closure, Position, ServiceWindow, TimeOff
from tests.factory import grant

APPS = ("crisisline", "shifts", "calls", "protocols")
CONSTRAINTS = [
    (model, constraint)
    for app in APPS
    for model in apps.get_app_config(app).get_models()
    for constraint in model._meta.constraints
]
UNIQUE_FIELDS = [
    (model, field)
    for app in APPS
    for model in apps.get_app_config(app).get_models()
    for field in model._meta.local_fields
    if field.unique and not field.primary_key and field.editable and not field.is_relation
]


@pytest.mark.parametrize(
    ("model", "constraint"),
    CONSTRAINTS,
    ids=[f"{model.__name__}.{constraint.name}" for model, constraint in CONSTRAINTS],
)
def test_every_constraint_says_what_it_refuses_in_both_languages(model, constraint):
    assert constraint.violation_error_message != constraint.default_violation_error_message
    with translation.override("en"):
        english = str(constraint.get_violation_error_message())
    with translation.override("es"):
        spanish = str(constraint.get_violation_error_message())
    assert constraint.name not in english and "violated" not in english
    assert spanish != english, f"{constraint.name} has no Spanish"


@pytest.mark.parametrize(
    ("model", "field"),
    UNIQUE_FIELDS,
    ids=[f"{model.__name__}.{field.name}" for model, field in UNIQUE_FIELDS],
)
def test_every_unique_field_a_form_fills_says_so_in_words(model, field):
    message = field.error_messages["unique"]
    with translation.override("en"):
        english = str(message)
    with translation.override("es"):
        spanish = str(message)
    assert "%(model_name)s" not in english
    assert spanish != english


def _errors(response) -> list[str]:
    form = response.context["form"]
    return [message for messages in form.errors.values() for message in messages]


def _refused(response, message: str) -> None:
    body = response.content.decode()
    assert response.status_code == 200
    assert "Constraint" not in body and "violated" not in body
    assert _errors(response).count(message) == 1, _errors(response)


def test_time_off_ending_before_it_starts(as_responder):
    response = as_responder.post(
        "/me/time-off/", {"first_day": "2099-06-10", "last_day": "2099-06-08", "note": ""}
    )
    _refused(response, "The last day is before the first day.")
    assert not TimeOff.objects.exists()


def test_time_off_refusal_is_in_spanish_too(as_responder):
    as_responder.post("/language/", {"language": "es", "next": "/"})
    response = as_responder.post(
        "/me/time-off/", {"first_day": "2099-06-10", "last_day": "2099-06-08", "note": ""}
    )
    errors = _errors(response)
    assert len(errors) == 1 and "The last day" not in errors[0]
    assert "Constraint" not in response.content.decode()


POSITION = {"name": "Listener", "min_people": 1, "max_people": 2, "order": 0, "active": "on"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"min_people": 3, "max_people": 2}, "The fewest cannot be more than the most."),
        ({"min_people": 0, "max_people": 0}, "At least one person must fit in a position."),
        (
            {"trainee_place": "on"},
            "A trainee place needs a required skill to learn: choose one, "
            "or leave the trainee place off.",
        ),
    ],
    ids=["position_min_le_max", "position_max_positive", "position_trainee_needs_skill"],
)
def test_a_position_the_database_would_refuse(as_coordinator, fields, message):
    response = as_coordinator.post("/roster/positions/", {**POSITION, **fields})
    _refused(response, message)
    assert not Position.objects.filter(name="Listener").exists()


def test_a_position_name_already_taken(as_coordinator):
    Position.objects.create(name="Listener")
    response = as_coordinator.post("/roster/positions/", POSITION)
    _refused(response, "There is already a position with this name.")


def test_a_window_that_opens_and_closes_at_once(as_coordinator):
    response = as_coordinator.post(
        "/roster/hours/", {"weekday": 1, "start": "10:00", "end": "10:00"}
    )
    _refused(response, "The window opens and closes at the same time: it would be empty.")
    assert not ServiceWindow.objects.exists()


def test_a_window_opening_when_another_does(as_coordinator):
    from datetime import time

    ServiceWindow.objects.create(weekday=1, start=time(10), end=time(12))
    response = as_coordinator.post(
        "/roster/hours/", {"weekday": 1, "start": "10:00", "end": "14:00"}
    )
    body = response.content.decode()
    assert "Constraint" not in body
    assert "Another window already opens on that day at that time." in " ".join(_errors(response))
    assert ServiceWindow.objects.count() == 1


def test_a_closure_on_a_day_already_closed(as_coordinator):
    Closure.objects.create(date="2099-01-05")
    response = as_coordinator.post("/roster/closures/", {"date": "2099-01-05", "reason": ""})
    body = response.content.decode()
    assert "Constraint" not in body and "Closure with this" not in body
    assert Closure.objects.count() == 1


def test_a_renewal_date_before_the_grant(as_coordinator, responder):
    skill = Skill.objects.create(name="De-escalation")
    response = as_coordinator.post(
        f"/people/{responder.pk}/skills/",
        {"skill": skill.pk, "granted_on": "2026-01-10", "renew_by": "2026-01-01"},
    )
    assert "The renewal date is before the day it was granted." in response.content.decode()
    assert "Constraint" not in response.content.decode()
    assert not responder.skill_grants.exists()


def test_granting_a_skill_already_held_renews_it(as_coordinator, responder):
    skill = Skill.objects.create(name="De-escalation")
    grant(responder, skill, granted_on="2025-01-01")
    as_coordinator.post(
        f"/people/{responder.pk}/skills/",
        {"skill": skill.pk, "granted_on": "2026-01-10", "renew_by": ""},
    )
    assert [str(g.granted_on) for g in responder.skill_grants.all()] == ["2026-01-10"]


def test_a_protocol_short_name_already_taken(as_trainer):
    fields = {
        "title": "Listening",
        "slug": "listening",
        "kind": "page",
        "category": "other",
        "language": "en",
        "review_interval_days": 30,
        "body": "Listen first.",
        "summary": "",
    }
    as_trainer.post("/protocols/new/", fields)
    response = as_trainer.post("/protocols/new/", {**fields, "title": "Listening again"})
    _refused(response, "Another protocol already has this short name: choose another.")


def test_unique_constraints_name_their_fields_in_words():
    # A unique constraint a form fills speaks of what it keeps apart, not of its name.
    for _model, constraint in CONSTRAINTS:
        if isinstance(constraint, UniqueConstraint):
            assert "_" not in str(constraint.get_violation_error_message())
