"""Demo call notes and a season of anonymous totals (called by `manage.py load_demo`)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management.base import OutputWrapper
from django.utils import timezone

from calls.models import CallNote, Kind, NoteKeys, Police, Response, Tally, week_of
from crisisline.models import User

NOTES = [
    # author, body, kind, response, police, needs, follow-up to, in days
    (
        "responder",
        "Long talk after an argument at home; calmer by the end. Agreed to check in tomorrow.",
        Kind.CRISIS_NON_ACUTE,
        Response.PHONE,
        Police.NONE,
        ["safety", "mental-health"],
        "marisol",
        1,
    ),
    (
        "responder",
        "Asked where to get food this weekend; shared the pantry hours.",
        Kind.INFORMATION,
        Response.REFERRAL,
        Police.NONE,
        ["food"],
        None,
        None,
    ),
    (
        "marisol",
        "Police were already there when we arrived; stayed with the person until they left.",
        Kind.CRISIS_ACUTE,
        Response.IN_PERSON,
        Police.UNSOLICITED,
        ["legal"],
        "responder",
        2,
    ),
]


def load(stdout: OutputWrapper) -> None:
    from crisisline.management.commands.load_demo import DEMO_PASSWORD

    people = {person.username: person for person in User.objects.all()}
    for person in people.values():
        # Demo people get their key pair now (as at a first sign-in), so notes can be sealed.
        if person.check_password(DEMO_PASSWORD) and not hasattr(person, "note_keys"):
            NoteKeys.create_for(person, DEMO_PASSWORD)
    if not CallNote.objects.exists():
        for author, body, kind, response, police, needs, mate, days in NOTES:
            CallNote.write(
                author=people[author],
                body=body,
                kind=kind,
                response=response,
                police=police,
                needs=needs,
                keep_hours=72,
                follow_up_to=people.get(mate) if mate else None,
                follow_up_by=timezone.localdate() + timedelta(days=days) if days else None,
            )
        stdout.write(f"calls: {len(NOTES)} demo notes\n")
    this_week = week_of(timezone.localdate())
    if not Tally.objects.filter(week__lt=this_week).exists():
        # Twelve past weeks of anonymous totals, so the evaluation page has a shape.
        chance = random.Random(4)  # noqa: S311 - demo numbers, not secrets
        rows = []
        for weeks_ago in range(1, 13):
            week = this_week - timedelta(weeks=weeks_ago)
            for kind in Kind:
                for response in (Response.PHONE, Response.IN_PERSON, Response.REFERRAL):
                    count = chance.choice([0, 0, 1, 1, 2, 3])
                    if count:
                        police = chance.choice([Police.NONE] * 5 + [Police.UNSOLICITED])
                        follow_up = chance.random() < 0.3
                        rows.append(
                            Tally(
                                week=week,
                                kind=kind,
                                response=response,
                                police=police,
                                follow_up=follow_up,
                                count=count,
                            )
                        )
        Tally.objects.bulk_create(rows, ignore_conflicts=True)
        stdout.write(f"calls: {len(rows)} weekly counters\n")
