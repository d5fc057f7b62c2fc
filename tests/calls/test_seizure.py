"""The seizure test: copy everything a seizure would take, before and after the purge.

Notes carry unique canary strings. One submission fails with a server error.
Neither the database copy (SQLite: its pages, -wal and -shm; PostgreSQL: a
pg_dump), nor the logs, nor the error report, nor the keyring holds a canary in
plaintext. After the clock passes expiry and the purge runs, no expired bucket
key remains, and the pre-purge rows put back beside the post-purge keyring
give no note body through any page.
"""

from __future__ import annotations

import io
import logging
import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import connection
from django.utils import timezone
from django.views.debug import ExceptionReporter

from calls import keyring
from calls.models import CallNote, NoteSeal, Tally
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, clock_at, note_form, read_body
from tests.factory import make_person


def copy_database(target: Path) -> list[Path]:
    """What a seizure takes from the database, as files under `target`."""
    target.mkdir(parents=True, exist_ok=True)
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings_dict["NAME"])
        copies = []
        if connection.is_in_memory_db():
            # The test database lives in memory: copy its pages verbatim.
            copy = target / "db.sqlite3"
            with sqlite3.connect(copy) as destination:
                connection.ensure_connection()
                connection.connection.backup(destination)
            copies.append(copy)
        else:
            for suffix in ("", "-wal", "-shm"):
                source = Path(name + suffix)
                if source.exists():
                    copies.append(Path(shutil.copy(source, target / source.name)))
        return copies
    dump = target / "dump.sql"
    if shutil.which("pg_dump"):
        command = ["pg_dump", "--no-owner", "-h", settings_dict["HOST"] or "127.0.0.1"]
        if settings_dict.get("PORT"):
            command += ["-p", str(settings_dict["PORT"])]
        if settings_dict.get("USER"):
            command += ["-U", settings_dict["USER"]]
        environment = {"PGPASSWORD": settings_dict.get("PASSWORD") or ""}
        with dump.open("wb") as handle:
            subprocess.run(
                [*command, settings_dict["NAME"]],
                stdout=handle,
                check=True,
                env={**environment, "PATH": "/usr/bin:/bin"},
            )
    else:  # pragma: no cover - pg_dump is installed where PostgreSQL is
        with dump.open("wb") as handle, connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    for block in copy:
                        handle.write(bytes(block))
    return [dump]


def files_holding(canaries: list[str], *roots: Path) -> list[str]:
    found = []
    for root in roots:
        paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in paths:
            data = path.read_bytes()
            found += [
                f"{path.name}: {canary}"
                for canary in canaries
                if canary.encode() in data or canary.encode("utf-16-le") in data
            ]
    return found


@pytest.mark.django_db(transaction=True)
def test_a_seizure_finds_no_note_before_or_after_the_purge(
    tmp_path, keyring_dir, caplog, console_output, monkeypatch, roles
):
    caplog.set_level(logging.DEBUG)
    author = make_person("author", RESPONDER)
    mate = make_person("mate", RESPONDER)
    canaries = [f"CANARY-{uuid.uuid4().hex}" for _ in range(4)]
    client = client_for(author)
    client_for(mate)  # the teammate has signed in once: notes can be sealed to them

    # Notes written through the form, one handed over for follow-up.
    for canary in canaries[:2]:
        assert client.post("/notes/new/", note_form(body=f"said {canary} twice")).status_code == 302
    follow_up = note_form(
        body=f"follow up: {canaries[2]}",
        follow_up_to=str(mate.pk),
        follow_up_by=(timezone.localdate() + timedelta(days=3)).isoformat(),
    )
    assert client.post("/notes/new/", follow_up).status_code == 302

    # A server error in the middle of one submission.
    reports: list[str] = []

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_text())
        reports.append(reporter.get_traceback_html())

    def broken(**kwargs):
        raise RuntimeError("the tally store fell over")

    monkeypatch.setattr(Tally, "add_one", broken)
    got_request_exception.connect(report)
    try:
        failing = client_for(author)
        failing.raise_request_exception = False
        response = failing.post("/notes/new/", note_form(body=f"lost: {canaries[3]}"))
    finally:
        got_request_exception.disconnect(report)
        monkeypatch.undo()
    assert response.status_code == 500
    assert canaries[3] not in response.content.decode()
    assert len(reports) == 2 and "RuntimeError" in reports[0]
    assert CallNote.including_expired.count() == 3  # the failed note was not kept
    assert "the tally store fell over" in caplog.text + console_output.getvalue()

    # Seize everything: database, keyring, logs, error reports.
    seized = tmp_path / "seized-before"
    copy_database(seized / "database")
    (seized / "logs.txt").write_text(caplog.text + "\n" + console_output.getvalue())
    (seized / "error-reports.txt").write_text("\n".join(reports))
    shutil.copytree(keyring_dir, seized / "keyring")
    assert (seized / "database").stat() and any((seized / "database").iterdir())
    assert files_holding(canaries, seized) == []

    # Yet the notes are there and readable by the people meant to read them.
    rows = list(CallNote.including_expired.values())
    seal_rows = list(NoteSeal.objects.values())
    assert len(seal_rows) == 4  # each note to its author, the handed one to the teammate too
    for canary in canaries[:2]:
        note = next(n for n in CallNote.objects.all() if canary in read_body(n, author))
        assert canary in client.get(f"/notes/{note.public_id}/").content.decode()

    # Past every expiry (follow-ups included), the purge runs.
    after = timezone.now() + timedelta(days=31)
    with clock_at(after):
        call_command("purge_expired", stdout=io.StringIO())
        assert not CallNote.including_expired.exists()
        assert [b for b in keyring.buckets() if keyring.bucket_end(b) <= after.timestamp()] == []
    seized_after = tmp_path / "seized-after"
    copy_database(seized_after / "database")
    shutil.copytree(keyring_dir, seized_after / "keyring")
    assert files_holding(canaries, seized_after, keyring_dir) == []
    assert sum(t.count for t in Tally.objects.all()) == 3  # the totals survive

    # The pre-purge rows put back beside the post-purge keyring, with the clock
    # even turned back to before expiry: no body comes out of any page.
    CallNote.including_expired.bulk_create(CallNote(**row) for row in rows)
    NoteSeal.objects.bulk_create(NoteSeal(**row) for row in seal_rows)
    for person in (author, mate):
        reader = client_for(person)
        pages = [reader.get("/notes/")]
        pages += [reader.get(f"/notes/{row['public_id']}/") for row in rows]
        for page in pages:
            assert not any(canary in page.content.decode() for canary in canaries)
        # The author is told each note is gone (410), the teammate the one handed to
        # them; the rest is not theirs (404). Nothing of what they said, either way.
        assert {page.status_code for page in pages[1:]} == (
            {410} if person == author else {404, 410}
        )
    for note in CallNote.objects.all():
        with pytest.raises(keyring.Unreadable):
            read_body(note, author)


@pytest.mark.django_db(transaction=True)
def test_the_copy_and_search_would_find_plaintext(tmp_path):
    """The seizure test can fail: a canary stored in clear is found in the copy."""
    from calls.models import RetentionPolicy

    canary = f"CANARY-{uuid.uuid4().hex}"
    RetentionPolicy.objects.create(pk=1, default_hours=24, statement=f"plain {canary}")
    copy_database(tmp_path / "database")
    assert files_holding([canary], tmp_path) != []
