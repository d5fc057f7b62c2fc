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

from crisisline.models import Line, Skill, SkillGrant, User  # noqa: E402

SIZES = {
    "small": {
        "people": 20,
        "months": 3,
        "notes": 500,
        "pages": 10,
        "revisions": 3,
        "resources": 50,
    },
    "large": {
        "people": 500,
        "months": 36,
        "notes": 50_000,
        "pages": 100,
        "revisions": 20,
        "resources": 500,
    },
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
            phone=f"+155501{n:05d}",  # as the app stores numbers (E.164, crisisline.phones)
            password="!",
            max_shifts_per_month=20,
            min_rest_hours=8,
        )
        for n in range(count)
    )
    # Languages are declared on the profile; skills are confirmed grants.
    held = [
        (u, s)
        for i, u in enumerate(users)
        for s in skills
        if (i + s.pk) % 2 == 0 or s.name == "English"
    ]
    through = User.skills.through
    through.objects.bulk_create(
        through(user_id=u.pk, skill_id=s.pk) for u, s in held if s.kind == "language"
    )
    SkillGrant.objects.bulk_create(
        SkillGrant(person=u, skill=s) for u, s in held if s.kind == "skill"
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
            username=username, display_name=username.title(), phone="+15550100000"
        )
        person.groups.set([roles[role], roles["Responder"]])
        person.skills.set(s for s in skills if s.kind == "language")
        SkillGrant.objects.bulk_create(
            SkillGrant(person=person, skill=s) for s in skills if s.kind == "skill"
        )
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
            "public_phone": "+15550109999",
        },
    )
    named = people(figures["people"])
    cookies = {name: cookie_for(person) for name, person in named.items()}
    pages = [
        # The floor of any signed-in page (tests/bench/urls.py), beside the bare view.
        {"name": "signed-in floor", "path": "/bench/signed-in", "cookie": cookies["responder"]},
        {"name": "public home", "path": "/"},
        {"name": "dashboard", "path": "/home/", "cookie": cookies["responder"]},
    ]
    timings: dict = {}
    summary = {"people": User.objects.count()}
    for extend in EXTENSIONS:
        extend(size, figures, named, cookies, pages, timings, summary)
    pages.sort(key=lambda page: page["name"] != "signed-in floor")  # measured first
    return {"pages": pages, "timings": timings, "summary": summary}


# Each app adds its data and pages: extend(size, figures, named, cookies, pages, timings, summary).


def shifts_data(size, figures, named, cookies, pages, timings, summary) -> None:
    """A line open around the clock in 4-hour shifts, three positions, mostly staffed."""
    from datetime import time as clock
    from datetime import timedelta

    from django.utils import timezone

    from shifts.models import Assignment, Position, ServiceWindow, Shift, Slot
    from shifts.roster import generate_shifts

    holder = Skill.objects.get(name="Line holder training")
    for day in range(7):
        ServiceWindow.objects.create(weekday=day, start=clock(8), end=clock(20))
        ServiceWindow.objects.create(weekday=day, start=clock(20), end=clock(8))
    Position.objects.create(
        name="Line holder",
        min_people=1,
        max_people=1,
        required_skill=holder,
        holds_line=True,
        order=0,
    )
    Position.objects.create(name="Responder", min_people=2, max_people=3, order=1)
    Position.objects.create(name="Backup", min_people=1, max_people=1, order=2)
    today = timezone.localdate()
    first = today - timedelta(days=30 * (figures["months"] - 1))
    last = today + timedelta(days=30)
    generate_shifts(
        first, last, block_hours=4, now=timezone.now() - timedelta(days=31 * figures["months"])
    )

    people_ids = list(User.objects.filter(username__startswith="p").values_list("pk", flat=True))
    qualified = set(holder.grants.values_list("person_id", flat=True))  # confirmed grants
    holders = [pk for pk in people_ids if pk in qualified]
    assignments, slots = [], []
    cursor = 0
    for shift_id, shift_slots in _slots_by_shift(
        Slot.objects.select_related("position").order_by("shift_id")
    ):
        used: set[int] = set()
        for slot in shift_slots:
            wanted = (
                slot.capacity
                if shift_id % 5
                else slot.min_people - (1 if slot.min_people > 1 else 0)
            )
            pool = holders if slot.position.required_skill_id else people_ids
            for _ in range(wanted):
                person = pool[cursor % len(pool)]
                cursor += 7
                if person in used:
                    continue
                used.add(person)
                assignments.append(Assignment(slot_id=slot.pk, shift_id=shift_id, person_id=person))
                slot.taken += 1
            slots.append(slot)
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    Slot.objects.bulk_update(slots, ["taken"], batch_size=5000)
    # The signed-in responder holds the line now and has a shift coming.
    now = timezone.now()
    current = Shift.objects.filter(start__lte=now, end__gt=now).first()
    for shift in [current, Shift.objects.filter(start__gt=now + timedelta(days=2)).first()]:
        slot = shift.slots.get(position__name="Responder")
        if (
            not slot.assignments.filter(person=named["responder"]).exists()
            and slot.taken < slot.capacity
        ):
            Assignment.objects.create(slot=slot, shift=shift, person=named["responder"])
            Slot.objects.filter(pk=slot.pk).update(taken=slot.taken + 1)

    # Roster generation for one more month of this line, timed.
    started = time.perf_counter()
    made = generate_shifts(last + timedelta(days=1), last + timedelta(days=31), block_hours=4)
    timings["generate_month_s"] = round(time.perf_counter() - started, 3)
    timings["generate_month_shifts"] = made.created

    summary.update(shifts=Shift.objects.count(), assignments=Assignment.objects.count())
    pages[:0] = [
        {
            "name": "on call now",
            "path": "/oncall/",
            "cookie": cookies["responder"],
            "first_load": True,
        },
    ]
    pages += [
        # Next month: every shift still editable, so every control is on the page.
        {
            "name": "roster month",
            "path": f"/roster/?month={(today.replace(day=28) + timedelta(days=4)):%Y-%m}",
            "cookie": cookies["coordinator"],
        },
        {
            "name": "roster week grid",
            "path": f"/roster/week/?start={today + timedelta(days=7):%Y-%m-%d}",
            "cookie": cookies["coordinator"],
        },
        {"name": "coverage report", "path": "/roster/coverage/", "cookie": cookies["coordinator"]},
        {
            "name": "coverage, line holders only",
            "path": "/roster/coverage/?weeks=4&kind=no-line-holder",
            "cookie": cookies["coordinator"],
        },
        {"name": "team roster", "path": "/roster/team/", "cookie": cookies["responder"]},
        # Every place the responder may take, asked of the one rule (shifts.places).
        {"name": "open places", "path": "/places/", "cookie": cookies["responder"]},
    ]


def _slots_by_shift(slots):
    from itertools import groupby

    for shift_id, group in groupby(slots.iterator(chunk_size=5000), key=lambda s: s.shift_id):
        yield shift_id, list(group)


BENCH_PASSWORD = "bench-password-not-a-secret"
NOTE_BODY = "Caller felt calmer after we talked through the evening; will check in tomorrow."


def note_keys(person: User):
    """The person's note key pair, as their first sign-in creates it (production cost)."""
    from calls.models import NoteKeys

    keys = NoteKeys.objects.filter(person=person).first()
    if keys is None:
        NoteKeys.create_for(person, BENCH_PASSWORD)
        keys = NoteKeys.objects.get(person=person)
    return keys


def expired_or_live_notes(count: int, author: User, *, expired: bool) -> None:
    """`count` notes sealed to their author by the app's own `CallNote.seal`, inserted in bulk."""
    from datetime import timedelta

    from django.utils import timezone

    from calls import envelope
    from calls.models import CallNote, NoteSeal

    keys = note_keys(author)
    now = timezone.now()
    batch: list[CallNote] = []
    seals: list[NoteSeal] = []

    def flush() -> None:
        CallNote.including_expired.bulk_create(batch)
        for seal in seals:
            seal.note_id = seal.note.pk
        NoteSeal.objects.bulk_create(seals)
        batch.clear()
        seals.clear()

    for n in range(count):
        if expired:
            written = now - timedelta(days=10)
            expires = now - timedelta(minutes=1 + (n % (48 * 60)))
        else:
            written = now - timedelta(minutes=n % 600)
            expires = now + timedelta(minutes=30 + (n % (30 * 24 * 60)))
        note = CallNote(author=author)
        details = envelope.Details(
            kind="crisis-acute",
            needs=("safety",),
            response="phone",
            police="none",
            follow_up_by=None,
            written_at=written,
            expires_at=expires,
        )
        seals += note.seal(details, NOTE_BODY, [keys])
        batch.append(note)
        if len(batch) == 5000:
            flush()
    flush()


def calls_data(size, figures, named, cookies, pages, timings, summary) -> None:
    from calls.models import CallNote

    authors = [*list(User.objects.filter(username__startswith="p")[:50]), named["responder"]]
    per_author = figures["notes"] // len(authors)
    for author in authors:
        expired_or_live_notes(per_author, author, expired=False)
    summary["live_notes"] = CallNote.objects.count()
    follow_up_holder(named, pages, summary)
    pages.append(
        {
            "name": "write a note",
            "path": "/notes/new/",
            "cookie": cookies["responder"],
            "method": "POST",
            "form": {
                "kind": "crisis-acute",
                "response": "phone",
                "police": "none",
                "needs": ["safety"],
                "body": NOTE_BODY,
                "keep_hours": "24",
            },
            "expect": [302],
        }
    )


FOLLOW_UPS_HELD = 1000


def follow_up_holder(named, pages, summary) -> None:
    """A responder holding 1,000 follow-ups (due over five days) with 50 unread
    notices, signed in through the form so their note key is unlocked: /oncall/
    opens their queue. The other responder has read the notices."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from calls.models import CallNote, Notice, NoticeRead

    holder = User.objects.create_user(
        username="holder", password=BENCH_PASSWORD, display_name="Holder", phone="+15550100001"
    )
    holder.groups.add(Group.objects.get(name="Responder"))
    author = named["responder"]
    note_keys(holder)
    note_keys(author)
    today = timezone.localdate()
    for number in range(FOLLOW_UPS_HELD):
        CallNote.write(
            author=author,
            follow_up_to=holder,
            follow_up_by=today + timedelta(days=number % 5),
            body=f"{NOTE_BODY} ({number})",
            kind="aftercare",
            response="phone",
            police="none",
            needs=["housing"],
            keep_hours=72,
        )
    now = timezone.now()
    notices = Notice.objects.bulk_create(
        Notice(
            text=f"Notice {n}: the shelter on 5th is full tonight.",
            posted_at=now,
            expires_at=now + timedelta(days=3),
        )
        for n in range(50)
    )
    NoticeRead.objects.bulk_create(NoticeRead(notice=n, person=author) for n in notices)
    client = Client(HTTP_HOST="testserver")
    signed_in = client.post("/accounts/login/", {"username": "holder", "password": BENCH_PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code
    cookie = "; ".join(f"{name}={client.cookies[name].value}" for name in ("sessionid", "notekey"))
    # They have looked at their queue once since the hand-offs, as anyone holding them
    # has: its index is built, so what is counted and timed is every later view.
    assert client.get("/oncall/").status_code == 200
    summary["follow_ups_held"] = FOLLOW_UPS_HELD
    pages.append({"name": "on call now, 1,000 follow-ups", "path": "/oncall/", "cookie": cookie})


def protocols_data(size, figures, named, cookies, pages, timings, summary) -> None:
    from django.core.management import call_command

    from protocols.models import Protocol, Revision

    call_command("load_starter_protocols", verbosity=0)
    body = "## Steps\n\n" + "\n".join(
        f"{n}. Keep your voice low and slow; name what you see." for n in range(1, 40)
    )
    for n in range(figures["pages"]):
        protocol = Protocol.objects.create(
            slug=f"bench-page-{n}", title=f"Bench page {n}", category="other", language="en"
        )
        Revision.objects.bulk_create(
            Revision(
                protocol=protocol,
                number=r,
                body=f"{body}\n\nRevision {r}.",
                author=named["trainer"],
            )
            for r in range(1, figures["revisions"] + 1)
        )
    summary.update(protocols=Protocol.objects.count(), revisions=Revision.objects.count())
    pages += [
        {
            "name": "protocol page",
            "path": "/protocols/de-escalation-basics/",
            "cookie": cookies["responder"],
        },
        {
            "name": "decision-tree step",
            "path": "/protocols/trees/emergency-or-crisis/?path=1",
            "cookie": cookies["responder"],
        },
    ]


def resources_data(size, figures, named, cookies, pages, timings, summary) -> None:
    """The care map: resources across every need and safety profile, with hours."""
    from datetime import date, time

    from calls.models import Need
    from protocols.care_map import (
        Involvement,
        PartnerStatus,
        PublicDirectory,
        Resource,
        ResourceHours,
        ResourceNeed,
        ResourceRevision,
        snapshot,
    )

    needs = list(Need.values)
    involvement = list(Involvement.values)
    resources = Resource.objects.bulk_create(
        Resource(
            slug=f"bench-resource-{n}",
            name=f"Bench resource {n}",
            summary="Beds, meals and someone to talk to, without questions about status.",
            summary_es="Camas, comidas y alguien con quien hablar, sin preguntas sobre estatus.",
            phone="+15555550100",
            police=involvement[n % 5],
            immigration=involvement[(n // 5) % 5],
            speaks_spanish=n % 2 == 0,
            id_required="no" if n % 3 else "yes",
            partner_status=list(PartnerStatus.values)[n % 4],
            visibility="shareable" if n % 2 else "team",
            verify_due_on=date(2030, 1, 1),
        )
        for n in range(figures["resources"])
    )
    ResourceNeed.objects.bulk_create(
        ResourceNeed(resource=r, need=needs[(n + k) % len(needs)])
        for n, r in enumerate(resources)
        for k in range(2)
    )
    ResourceHours.objects.bulk_create(
        ResourceHours(resource=r, weekday=day, start=time(19), end=time(2))
        for r in resources
        for day in range(7)
    )
    ResourceRevision.objects.bulk_create(
        ResourceRevision(resource=r, number=1, data=snapshot(r)) for r in resources[:50]
    )
    summary.update(resources=Resource.objects.count())
    PublicDirectory.switch(True)
    # max_queries: the same ceiling at 50 and at 500 resources (run.py checks it).
    pages += [
        {
            "name": "resources",
            "path": "/protocols/resources/",
            "cookie": cookies["responder"],
            "max_queries": 11,
        },
        {
            "name": "resources, filtered",
            "path": "/protocols/resources/?no_police=1&spanish=1&open_now=1&need=housing",
            "cookie": cookies["responder"],
            "max_queries": 10,
        },
        {
            "name": "care map",
            "path": "/protocols/resources/map/",
            "cookie": cookies["responder"],
            "max_queries": 9,
        },
        {"name": "public resources", "path": "/resources/", "max_queries": 8},
        {
            "name": "public resources, filtered",
            "path": "/resources/?no_police=1&spanish=1&open_now=1&need=housing",
            "max_queries": 8,
        },
    ]


EXTENSIONS: list = [shifts_data, calls_data, protocols_data, resources_data]


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
    """Time purge_expired over `count` expired notes (with the live ones still there)."""
    from calls.purge import purge_expired

    author = User.objects.get(username="responder")
    expired_or_live_notes(count, author, expired=True)
    started = time.perf_counter()
    purged = purge_expired()
    seconds = time.perf_counter() - started
    return {
        "notes": purged.notes,
        "keys": purged.keys,
        "batches": purged.batches,
        "seconds": round(seconds, 2),
    }


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
