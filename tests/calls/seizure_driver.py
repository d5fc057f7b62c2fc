"""The seizure scenario against a real SQLite file (run by test_seizure_sqlite_files.py).

    python -m tests.calls.seizure_driver WORKDIR CANARY...

WORKDIR is VAR_DIR: the database (WAL mode, secure_delete), the keyring and
the error reports all live under it. The running process keeps a connection
open so that the -wal and -shm files exist when they are copied, as they
would on a live server. Prints one JSON summary line at the end.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import time_machine


def main(workdir: Path, canaries: list[str]) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.core.signals import got_request_exception
    from django.test import Client
    from django.utils import timezone
    from django.views.debug import ExceptionReporter

    call_command("migrate", verbosity=0)
    from calls import keyring
    from calls.models import CallNote, Tally
    from crisisline.models import User

    database = workdir / "db.sqlite3"
    keeper = sqlite3.connect(database)  # a live server always has a connection open
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()

    responder = Group.objects.get(name="Responder")
    author = User.objects.create_user("author", password="x" * 12, display_name="Author")
    mate = User.objects.create_user("mate", password="x" * 12, display_name="Mate")
    for person in (author, mate):
        person.groups.add(responder)

    def signed_in(person: User) -> Client:
        # Through the sign-in form, as a person would: their note key is unlocked.
        signed = Client(raise_request_exception=False)
        response = signed.post(
            "/accounts/login/", {"username": person.username, "password": "x" * 12}
        )
        assert response.status_code == 302
        return signed

    client = signed_in(author)
    signed_in(mate)  # the teammate has signed in once, so notes can be sealed to them

    def form(body: str, **extra) -> dict:
        data = {"kind": "crisis-acute", "response": "phone", "police": "none"}
        data.update({"body": body, "keep_hours": "72", "follow_up_to": "", "follow_up_by": ""})
        data.update(extra)
        return data

    statuses = [client.post("/notes/new/", form(f"said {canaries[0]}")).status_code]
    statuses.append(
        client.post(
            "/notes/new/",
            form(
                f"follow up {canaries[1]}",
                follow_up_to=str(mate.pk),
                follow_up_by=(timezone.localdate() + timedelta(days=2)).isoformat(),
                agreed_to_contact="on",
            ),
        ).status_code
    )
    # A forced server error in the middle of a submission, with its error report kept.
    reports = workdir / "error-reports"
    reports.mkdir()

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        (reports / "report.txt").write_text(reporter.get_traceback_text())
        (reports / "report.html").write_text(reporter.get_traceback_html())

    got_request_exception.connect(report)
    failing = signed_in(author)
    with mock.patch.object(Tally, "add_one", side_effect=RuntimeError("tally store fell over")):
        statuses.append(failing.post("/notes/new/", form(f"lost {canaries[2]}")).status_code)
    got_request_exception.disconnect(report)

    def seize(name: str) -> list[str]:
        target = workdir.parent / name
        target.mkdir()
        copied = []
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{database}{suffix}")
            if source.exists():
                shutil.copy(source, target / source.name)
                copied.append(source.name)
        shutil.copytree(workdir / "keyring", target / "keyring")
        return copied

    before = seize("seized-before")
    public_ids = list(CallNote.including_expired.values_list("public_id", flat=True))
    readable = [
        any(canary in client.get(f"/notes/{pid}/").content.decode() for canary in canaries)
        for pid in public_ids
    ]

    later = timezone.now() + timedelta(days=31)
    with time_machine.travel(later, tick=False):
        call_command("purge_expired")
        left = [b for b in keyring.buckets() if keyring.bucket_end(b) <= later.timestamp()]
    rows_after = CallNote.including_expired.count()
    after = seize("seized-after")

    # Put the pre-purge database files back beside the post-purge keyring.
    keeper.close()
    from django.db import connections

    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
        copy = workdir.parent / "seized-before" / f"{database.name}{suffix}"
        if copy.exists():
            shutil.copy(copy, f"{database}{suffix}")
    restored_rows = CallNote.including_expired.count()
    lists, details = [], []
    for person in (author, mate):
        reader = signed_in(person)
        lists.append(reader.get("/notes/"))
        details += [reader.get(f"/notes/{pid}/") for pid in public_ids]
    leaked = [c for c in canaries for page in lists + details if c in page.content.decode()]
    return {
        "statuses": statuses,
        "seized_before": before,
        "seized_after": after,
        "readable_before_purge": readable,
        "rows_after_purge": rows_after,
        "expired_keys_left": left,
        "restored_rows": restored_rows,
        "restored_list_statuses": sorted({page.status_code for page in lists}),
        "restored_page_statuses": sorted({page.status_code for page in details}),
        "leaked_through_pages": leaked,
    }


if __name__ == "__main__":
    summary = main(Path(sys.argv[1]), sys.argv[2:])
    print(json.dumps(summary))
