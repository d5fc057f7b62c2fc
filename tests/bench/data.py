"""Benchmark data, built in its own process against the benchmark database.

python -m tests.bench.data populate small|large  -> pages to measure (JSON)
python -m tests.bench.data queries PAGES_JSON    -> queries per page (JSON)
python -m tests.bench.data purge N               -> seconds to purge N expired notes
"""

from __future__ import annotations

import json
import sys
import time

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from crisisline.models import Line, Skill, User  # noqa: E402

SIZES = {
    "small": {"people": 20, "months": 3, "notes": 500, "pages": 10, "revisions": 3},
    "large": {"people": 500, "months": 36, "notes": 50_000, "pages": 100, "revisions": 20},
}


def people(count: int) -> dict[str, User]:
    roles = {g.name: g for g in Group.objects.all()}
    skills = [
        Skill.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in [
            ("De-escalation", "skill"),
            ("First aid", "skill"),
            ("Line holder training", "skill"),
            ("English", "language"),
            ("Spanish", "language"),
        ]
    ]
    users = User.objects.bulk_create(
        User(
            username=f"p{n}",
            display_name=f"Person {n}",
            pronouns="they/them",
            phone=f"+1 555 01{n:05d}",
            password="!",
            max_shifts_per_month=20,
            min_rest_hours=8,
        )
        for n in range(count)
    )
    through = User.skills.through
    through.objects.bulk_create(
        through(user_id=u.pk, skill_id=s.pk)
        for i, u in enumerate(users)
        for s in skills
        if (i + s.pk) % 2 == 0 or s.name == "English"
    )
    groups = User.groups.through
    groups.objects.bulk_create(groups(user_id=u.pk, group_id=roles["Responder"].pk) for u in users)
    named = {}
    for username, role in [
        ("coordinator", "Coordinator"),
        ("trainer", "Trainer"),
        ("responder", "Responder"),
    ]:
        person = User.objects.create_user(
            username=username, display_name=username.title(), phone="+1 555 0100000"
        )
        person.groups.set([roles[role], roles["Responder"]])
        person.skills.set(skills)
        named[username] = person
    return named


def cookie_for(person: User) -> str:
    client = Client()
    client.force_login(person)
    return f"sessionid={client.cookies['sessionid'].value}"


def populate(size: str) -> dict:
    figures = SIZES[size]
    Line.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Bench Line",
            "responds_to": "Distress.",
            "public_phone": "+1 555 0109999",
        },
    )
    named = people(figures["people"])
    cookies = {name: cookie_for(person) for name, person in named.items()}
    pages = [
        {"name": "public home", "path": "/"},
        {"name": "dashboard", "path": "/home/", "cookie": cookies["responder"]},
    ]
    timings: dict = {}
    summary = {"people": User.objects.count()}
    for extend in EXTENSIONS:
        extend(size, figures, named, cookies, pages, timings, summary)
    return {"pages": pages, "timings": timings, "summary": summary}


# Each app adds its data and pages: extend(size, figures, named, cookies, pages, timings, summary).
EXTENSIONS: list = []


def queries(pages: list[dict]) -> dict[str, int]:
    counts = {}
    for page in pages:
        client = Client(HTTP_HOST="testserver")
        if page.get("cookie"):
            client.cookies.load(page["cookie"])
        with CaptureQueriesContext(connection) as captured:
            if page.get("method") == "POST":
                client.post(page["path"], page.get("form") or {})
            else:
                client.get(page["path"])
        counts[page["name"]] = len(captured.captured_queries)
    return counts


def purge(count: int) -> dict:
    raise SystemExit("purge is measured once the calls app provides bench support")


def main(argv: list[str]) -> None:
    command, argument = argv[1], argv[2]
    if command == "populate":
        result = populate(argument)
    elif command == "queries":
        result = queries(json.loads(argument))
    elif command == "purge":
        result = purge(int(argument))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    started = time.perf_counter()
    main(sys.argv)
