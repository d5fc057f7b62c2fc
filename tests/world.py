"""A small line with one of everything, for tests that visit every route."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from calls.models import CallNote, NoteKeys, Notice, TeamReview
from crisisline.models import Invitation, Skill, SkillGrant, User
from crisisline.roles import COORDINATOR, RESPONDER, TRAINER
from crisisline.tokens import password_links
from shifts.models import (
    Assignment,
    Closure,
    Position,
    RosterRules,
    ServiceWindow,
    Shift,
    ShiftPreferences,
    Slot,
    SwapOffer,
    TimeOff,
)
from tests.factory import PASSWORD, finish_sign_in, make_person
from tests.protocols.conftest import make_page, make_tree
from tests.protocols.resource_helpers import make_resource

PERSONAS = ("anonymous", "responder", "coordinator", "trainer", "outsider", "deactivated")


@dataclass
class World:
    people: dict[str, User]
    objects: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, SimpleCookie] = field(default_factory=dict)
    keyring: Path | None = None  # a module's shared world: its keyring as built

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def _shift(days: float, position: Position) -> tuple[Shift, Slot]:
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    shift = Shift.objects.create(start=start, end=start + timedelta(hours=4))
    slot = Slot.objects.create(shift=shift, position=position, min_people=1, capacity=2)
    return shift, slot


def _assign(person: User, shift: Shift, slot: Slot) -> Assignment:
    slot.taken += 1
    slot.save()
    return Assignment.objects.create(slot=slot, shift=shift, person=person)


def build_world() -> World:
    """One of everything a URL can name, with single-role people to visit it."""
    people = {
        "responder": make_person("m-resp", RESPONDER),
        "coordinator": make_person("m-coord", COORDINATOR),
        "trainer": make_person("m-train", TRAINER),
        "outsider": make_person("m-none"),
        "deactivated": make_person("m-gone", RESPONDER),
    }
    teammate = make_person("m-mate", RESPONDER)
    w = World(people)
    # Everyone signs in through the form, as people do (a first sign-in may set
    # up what their session needs, such as the key that opens their notes).
    for persona, person in people.items():
        w.sessions[persona] = signed_in(person).cookies
    # Deactivated while signed in; the session row is deliberately left behind.
    User.objects.filter(pk=people["deactivated"].pk).update(is_active=False)
    position = Position.objects.create(name="Responder", min_people=1, max_people=2)
    mine, mine_slot = _shift(10, position)
    w.objects["open_slot"] = _shift(12, position)[1]
    theirs, theirs_slot = _shift(14, position)
    w.objects["my_assignment"] = _assign(people["responder"], mine, mine_slot)
    their_assignment = _assign(teammate, theirs, theirs_slot)
    w.objects["my_swap"] = SwapOffer.objects.create(
        assignment=w.my_assignment, offered_by=people["responder"]
    )
    w.objects["their_swap"] = SwapOffer.objects.create(
        assignment=their_assignment, offered_by=teammate
    )
    # Places every refusal can be asked about: full, already started, closed.
    full, full_slot = _shift(16, position)
    full_slot.capacity = 1  # saved with the count by _assign
    _assign(teammate, full, full_slot)
    w.objects["full_slot"] = full_slot
    w.objects["started_assignment"] = _assign(people["responder"], *_shift(-1 / 24, position))
    w.objects["closed_swap"] = SwapOffer.objects.create(
        assignment=w.started_assignment,
        offered_by=people["responder"],
        status=SwapOffer.Status.WITHDRAWN,
    )
    w.objects["shift"] = mine
    w.objects["position"] = position
    w.objects["time_off"] = TimeOff.objects.create(
        person=people["responder"],
        first_day=timezone.localdate() + timedelta(days=30),
        last_day=timezone.localdate() + timedelta(days=31),
    )
    w.objects["window"] = ServiceWindow.objects.create(weekday=4, start=time(19), end=time(23, 30))
    w.objects["notice"] = Notice.objects.create(
        text="The food bank is closed on Friday.",
        posted_by=people["coordinator"],
        posted_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=3),
    )
    w.objects["team_review"] = TeamReview.objects.create(
        period="October", went_well="Nights were covered.", written_on=timezone.localdate()
    )
    w.objects["closure"] = Closure.objects.create(
        date=timezone.localdate() + timedelta(days=40), reason="Holiday"
    )
    w.objects["grant"] = SkillGrant.objects.create(
        person=people["responder"],
        skill=Skill.objects.get_or_create(name="First aid")[0],
        granted_by=people["trainer"],
    )
    w.objects["invitation"], w.objects["invitation_token"] = Invitation.issue(
        created_by=people["coordinator"], roles=[]
    )
    w.objects["note"] = CallNote.write(
        author=people["responder"],
        body="Talked it through.",
        kind="crisis-acute",
        response="phone",
        police="none",
        needs=[],
        keep_hours=72,
    )
    # A note handed to the responder for follow-up (its author's key pair made as
    # a first sign-in would; the password stays, so its reset link still works).
    NoteKeys.create_for(teammate, PASSWORD)
    w.objects["handed_note"] = CallNote.write(
        author=teammate,
        body="Call back tomorrow.",
        kind="aftercare",
        response="phone",
        police="none",
        needs=[],
        keep_hours=72,
        follow_up_to=people["responder"],
        follow_up_by=timezone.localdate(),
    )
    w.objects["page"] = make_page("breathing", author=people["trainer"])
    w.page.add_revision(author=people["trainer"], body="# Breathe\n\nSecond.\n", summary="2")
    w.objects["tree"] = make_tree("crisis-or-emergency", author=people["trainer"])
    w.objects["resource"] = make_resource(
        "night-shelter", author=people["trainer"], visibility="shareable"
    )
    w.objects["feed_token"] = ShiftPreferences.of(people["responder"]).new_feed_token()
    w.objects["gone_feed_token"] = ShiftPreferences.of(people["deactivated"]).new_feed_token()
    w.objects["forwarding_token"] = RosterRules.current().new_forwarding_token()
    # Someone who never signs in here: signing in would spoil the token.
    w.objects["reset_kwargs"] = {
        "uidb64": urlsafe_base64_encode(force_bytes(teammate.pk)),
        "token": password_links.make_token(teammate),
    }
    # A password link issued before its holder was deactivated.
    left = make_person("m-left", RESPONDER)
    w.objects["left_reset_kwargs"] = {
        "uidb64": urlsafe_base64_encode(force_bytes(left.pk)),
        "token": password_links.make_token(left),
    }
    left.deactivate()
    used, w.objects["used_invitation_token"] = Invitation.issue(
        created_by=people["coordinator"], roles=[]
    )
    Invitation.objects.filter(pk=used.pk).update(used_at=timezone.now())
    return w


def shared_world(
    django_db_blocker: Any, keyring: Path, finish: Callable[[World], None] | None = None
) -> Iterator[World]:
    """One world for a whole module, as Django's TestCase.setUpTestData does: built
    once inside a transaction that stays open while the module's tests run (each
    test's own transaction is a savepoint within it, undone after the test), and
    undone at the end. `for_test` gives each test its own copy of the objects and
    of the keyring on disk, so nothing one test does reaches the next."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(KEYRING_DIR=keyring, PASSWORD_HASHERS=fast):
                world = build_world()
                if finish:
                    finish(world)
            world.keyring = keyring
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def for_test(world: World, settings: Any) -> World:
    """The module's world for one test: a copy of its keyring in the test's own
    KEYRING_DIR, and objects of its own (a test may change or refresh them)."""
    assert world.keyring is not None, "not a shared world"
    shutil.copytree(world.keyring, settings.KEYRING_DIR)
    return World(
        copy.deepcopy(world.people), copy.deepcopy(world.objects), copy.deepcopy(world.sessions)
    )


def signed_in(person: User) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": person.username, "password": PASSWORD})
    assert response.status_code == 302, f"{person.username} could not sign in"
    finish_sign_in(client, response, person)  # coordinators set up two steps
    return client


def client_as(world: World, persona: str, *, enforce_csrf: bool = False) -> Client:
    """A fresh client holding `persona`'s signed-in session (none for anonymous)."""
    client = Client(enforce_csrf_checks=enforce_csrf)
    if persona != "anonymous":
        for name, morsel in world.sessions[persona].items():
            client.cookies[name] = morsel.value
    return client


def clients(world: World) -> dict[str, Client]:
    return {persona: client_as(world, persona) for persona in PERSONAS}
