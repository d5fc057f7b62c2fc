"""Load a fictional demo line: people, roles, public text, and each app's demo data."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from crisisline.models import Line, Skill, SkillGrant, User
from crisisline.phones import to_e164
from crisisline.roles import COORDINATOR, RESPONDER, TRAINER

DEMO_PASSWORD = "demo-line-2026"

# name, name in Spanish, kind
SKILLS = [
    ("De-escalation", "Desescalada", Skill.Kind.SKILL),
    ("First aid", "Primeros auxilios", Skill.Kind.SKILL),
    ("Legal observer", "Observación legal", Skill.Kind.SKILL),
    ("Line holder training", "Formación para llevar la línea", Skill.Kind.SKILL),
    ("English", "Inglés", Skill.Kind.LANGUAGE),
    ("Spanish", "Español", Skill.Kind.LANGUAGE),
]

# username, display name, pronouns, roles, skills
PEOPLE = [
    (
        "coordinator",
        "Rosa Coordinator",
        "she/her",
        [COORDINATOR, RESPONDER],
        ["English", "Spanish", "Line holder training", "De-escalation"],
    ),
    (
        "responder",
        "Sam Responder",
        "they/them",
        [RESPONDER],
        ["English", "First aid", "De-escalation", "Line holder training"],
    ),
    (
        "trainer",
        "Ade Trainer",
        "he/him",
        [TRAINER, RESPONDER],
        ["English", "De-escalation", "Legal observer"],
    ),
    (
        "marisol",
        "Marisol",
        "she/her",
        [RESPONDER],
        ["Spanish", "English", "First aid", "Line holder training"],
    ),
    ("kai", "Kai", "they/them", [RESPONDER], ["English", "Legal observer"]),
    (
        "jordan",
        "Jordan",
        "he/him",
        [RESPONDER],
        ["English", "De-escalation", "Line holder training"],
    ),
    ("lupe", "Lupe", "she/her", [RESPONDER], ["Spanish", "De-escalation"]),
    ("noor", "Noor", "she/they", [RESPONDER], ["English", "First aid", "Line holder training"]),
    ("tomas", "Tomás", "he/him", [RESPONDER], ["Spanish", "English", "Legal observer"]),
    ("wren", "Wren", "they/them", [RESPONDER], ["English", "De-escalation"]),
]

DEMO_APPS = ["shifts", "calls", "protocols"]


class Command(BaseCommand):
    help = "Load a fictional demo line (refuses to run unless DEBUG is on)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "The demo loader only runs with DEBUG on: it creates known passwords."
            )
        skills = {
            name: Skill.objects.get_or_create(
                name=name, defaults={"kind": kind, "name_es": name_es}
            )[0]
            for name, name_es, kind in SKILLS
        }
        demo_grants = []
        for number, (username, name, pronouns, roles, held) in enumerate(PEOPLE):
            person, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "display_name": name,
                    "pronouns": pronouns,
                    "phone": to_e164(f"+1 555 010 {number:04d}") or "",
                    "max_shifts_per_month": 12,
                    "min_rest_hours": 10,
                },
            )
            if created:
                person.set_password(DEMO_PASSWORD)
                person.save()
                person.groups.set(Group.objects.filter(name__in=roles))
                person.skills.set(
                    s for name in held if (s := skills[name]).kind == Skill.Kind.LANGUAGE
                )
                demo_grants.append((person, [skills[name] for name in held]))
        # Skills are confirmed by a trainer (the trainer's own by the coordinator):
        # nobody grants themselves a skill, and the demo's line holders are confirmed.
        confirmers = {
            p.username: p for p in User.objects.filter(username__in=["trainer", "coordinator"])
        }
        for person, held_skills in demo_grants:
            confirmer = confirmers["coordinator" if person.username == "trainer" else "trainer"]
            for skill in held_skills:
                if skill.kind == Skill.Kind.SKILL:
                    SkillGrant.objects.get_or_create(
                        person=person, skill=skill, defaults={"granted_by": confirmer}
                    )
        line = Line.current()
        if not line.responds_to:
            line.name = "Eastside Community Line"
            line.public_phone = to_e164("+1 555 010 9999") or ""
            line.responds_to = (
                "People in emotional distress, conflicts between neighbours, someone who needs "
                "company through a hard night, and requests for food, shelter or a ride to care."
            )
            line.does_not_respond_to = (
                "We do not call the police, we do not do welfare checks for landlords or "
                "employers, and we are not a medical ambulance."
            )
            line.responds_to_es = (
                "Personas con angustia emocional, conflictos entre vecinos, alguien que necesita "
                "compañía en una noche difícil, y pedidos de comida, refugio o transporte."
            )
            line.does_not_respond_to_es = (
                "No llamamos a la policía, no hacemos visitas de control para caseros ni "
                "empleadores, y no somos una ambulancia."
            )
            line.save()
        for app in DEMO_APPS:
            if importlib.util.find_spec(f"{app}.demo") is not None:
                importlib.import_module(f"{app}.demo").load(stdout=self.stdout)
        self.stdout.write(
            "\nDemo line ready. Sign in at http://127.0.0.1:8000/accounts/login/ as\n"
            f"  coordinator / responder / trainer   password: {DEMO_PASSWORD}\n"
        )
