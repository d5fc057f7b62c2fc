"""The backup-and-restore drill (`make restore-drill`, run by .ci/run), on PostgreSQL.

1. A line in a throwaway database: people, positions, shifts and assignments, the
   starter protocols, and two call notes: one kept three days, one kept an hour.
2. The backup: `pg_dump` of the database only (never the keyring: docs/operations.md).
3. The scheduled purge runs and destroys the key of the one-hour note's bucket
   (the line was written two hours ago, so that note has expired by now; its row
   is still in the dump).
4. Disaster: the database is dropped. Restore: a new one from the dump (`pg_restore`).
5. The app starts (gunicorn, production settings) on the restored database and the
   keyring as it is now, and the drill proves: people, roster and protocols are
   all back; the three-day note opens for its reader, signed in through the app;
   the one-hour note, purged after the dump, opens for nobody, through the app or
   with every secret the server has.

    .venv/bin/python .ci/restore_drill.py     # PostgreSQL on 127.0.0.1:5432, user postgres

PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server;
the drill makes and drops its own database there.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Every step of one drill (each its own process) shares one password.
os.environ.setdefault("DRILL_PASSWORD", "drill-password-" + secrets.token_hex(8))
PASSWORD = os.environ["DRILL_PASSWORD"]


def say(message: str) -> None:
    print(f"restore drill: {message}", flush=True)


# --- Run inside Django (as `restore_drill.py seed|purge-later|check FACTS`) -------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisline.settings")
    import django

    django.setup()


def _counts() -> dict[str, int]:
    from calls.models import CallNote
    from crisisline.models import User
    from protocols.models import Protocol, Revision
    from shifts.models import Assignment, Position, Shift, Slot

    return {
        "people": User.objects.count(),
        "positions": Position.objects.count(),
        "shifts": Shift.objects.count(),
        "slots": Slot.objects.count(),
        "assignments": Assignment.objects.count(),
        "protocols": Protocol.objects.count(),
        "revisions": Revision.objects.count(),
        "live notes": CallNote.objects.count(),
    }


def seed(facts_path: Path) -> None:
    _django()
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    # The line is written two hours ago, so that the one-hour note has really
    # expired (by the clock) when the purge runs after the backup.
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=True):
        _seed(facts_path)


def _seed(facts_path: Path) -> None:
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from calls.models import CallNote, NoteKeys
    from crisisline.models import User
    from crisisline.roles import RESPONDER, TRAINER
    from shifts.models import Assignment, Position, Shift, Slot

    people = []
    for number, name in enumerate(("ana", "bo", "cy", "di")):
        person = User.objects.create_user(
            username=f"drill-{name}",
            password=PASSWORD,
            display_name=f"Drill {name.title()}",
            phone=f"+1 555 010 {number:04d}",
        )
        person.groups.set(Group.objects.filter(name__in=[RESPONDER, TRAINER]))
        NoteKeys.create_for(person, PASSWORD)  # what their first sign-in would do
        people.append(person)
    position = Position.objects.create(name="Line holder", min_people=1, max_people=2)
    for day in range(1, 8):
        start = (timezone.now() + timedelta(days=day)).replace(microsecond=0)
        shift = Shift.objects.create(start=start, end=start + timedelta(hours=4))
        slot = Slot.objects.create(shift=shift, position=position, min_people=1, capacity=2)
        person = people[day % len(people)]
        slot.taken = 1
        slot.save()
        Assignment.objects.create(slot=slot, shift=shift, person=person)
    call_command("load_starter_protocols", verbosity=0)

    author = people[0]
    canaries = {
        "live": f"DRILL-LIVE-{secrets.token_hex(6)}",
        "soon": f"DRILL-SOON-{secrets.token_hex(6)}",
    }
    notes = {
        which: CallNote.write(
            author=author,
            body=f"Talked it through. {canary}",
            kind="crisis-acute",
            response="phone",
            police="none",
            needs=[],
            keep_hours=72 if which == "live" else 1,
        )
        for which, canary in canaries.items()
    }
    facts = {
        "counts": _counts(),
        "reader": author.username,
        "notes": {
            which: {"id": note.public_id, "bucket": note.body_bucket, "canary": canaries[which]}
            for which, note in notes.items()
        },
    }
    facts_path.write_text(json.dumps(facts))
    say(f"seeded: {facts['counts']}")


def purge_later(facts_path: Path) -> None:
    _django()
    from calls import keyring
    from calls.purge import purge_expired

    facts = json.loads(facts_path.read_text())
    purged = purge_expired()
    assert not keyring.has_key(facts["notes"]["soon"]["bucket"]), "the one-hour note's key survived"
    assert keyring.has_key(facts["notes"]["live"]["bucket"]), "the three-day note's key went"
    say(f"after the backup the purge destroyed {purged.keys} key(s) and {purged.notes} note(s)")


def check(facts_path: Path) -> None:
    _django()
    from calls import keyring
    from calls.models import CallNote, NoteExpired, NoteKeys
    from crisisline.models import User

    facts = json.loads(facts_path.read_text())
    counts = _counts()
    seeded = dict(facts["counts"])
    seeded["live notes"] -= 1  # the one-hour note has expired since
    assert counts == seeded, f"restored {counts}, seeded {seeded}"
    reader = User.objects.get(username=facts["reader"])
    private = NoteKeys.objects.get(person=reader).unlock(PASSWORD)
    live = CallNote.objects.get(public_id=facts["notes"]["live"]["id"])
    assert facts["notes"]["live"]["canary"] in live.open_for(reader, private).body
    # The one-hour note's row is back (it was in the dump) but nothing opens it,
    # not even with the reader's private key, the master key and the keyring.
    soon = CallNote.including_expired.get(public_id=facts["notes"]["soon"]["id"])
    try:
        # (As if it had not expired yet: what stops it is its missing key.)
        soon.open_for(reader, private, moment=soon.expires_at.replace(year=2000))
    except NoteExpired as exc:
        raise AssertionError("only the clock kept the purged note shut") from exc
    except keyring.Unreadable:
        assert not keyring.has_key(soon.body_bucket)
    else:
        raise AssertionError("the note purged after the dump opened again")
    for path in Path(os.environ["KEYRING_DIR"]).iterdir():
        assert facts["notes"]["soon"]["canary"].encode() not in path.read_bytes()
    say(f"in the restored database: {counts}; the purged note opens for nobody")


# --- The drill itself ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies by hand (the app's are Secure, this is
    plain HTTP to gunicorn on 127.0.0.1), the CSRF token from the form."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text

    def sign_in(self, username: str) -> None:
        _status, _location, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, location, _text = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 302 and "/accounts/login" not in location, (status, location)


def _run(args: list[str], env: dict[str, str], **kwargs) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def drill() -> None:
    started = time.monotonic()
    admin = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(admin)
    database = f"crisisline_drill_{os.getpid()}"
    database_url = parts._replace(path=f"/{database}").geturl()
    pg = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    work = Path(tempfile.mkdtemp(prefix="restore-drill-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crisisline.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "KEYRING_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": str(work / "var"),
        "KEYRING_DIR": str(work / "keyring"),
        "STATIC_ROOT": str(work / "static"),
        "OPPORTUNISTIC_PURGE_EVERY": "0",
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    facts = work / "facts.json"
    dump = work / "backup.dump"
    gunicorn = None
    psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", *pg, "-d", parts.path.lstrip("/") or "postgres"]
    try:
        _run([*psql, "-c", f'CREATE DATABASE "{database}"'], env)
        _run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        _run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        _run([PYTHON, __file__, "seed", str(facts)], env)

        _run(["pg_dump", *pg, "--format=custom", f"--file={dump}", database], env)
        say(f"backed up the database ({dump.stat().st_size} bytes), not the keyring")
        _run([PYTHON, __file__, "purge-later", str(facts)], env)

        _run([*psql, "-c", f'DROP DATABASE "{database}" WITH (FORCE)'], env)
        say("dropped the database")
        _run([*psql, "-c", f'CREATE DATABASE "{database}"'], env)
        _run(["pg_restore", *pg, "--no-owner", "--exit-on-error", "-d", database, str(dump)], env)
        say("restored it from the dump")
        _run(
            [PYTHON, "manage.py", "migrate", "--check", "--noinput"], env, stdout=subprocess.DEVNULL
        )

        # Before anything runs on it: the purged note's row is back, its key is not.
        _run([PYTHON, __file__, "check", str(facts)], env)
        # Start the app: the scheduler (one round of every periodic job), then the web.
        _run([PYTHON, "manage.py", "runperiodic", "--once"], env, stdout=subprocess.DEVNULL)
        port = _free_port()
        log = (work / "gunicorn.log").open("wb")
        gunicorn = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "crisisline.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        browser = Browser(port)
        for _ in range(120):
            try:
                if browser.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert gunicorn.poll() is None, (work / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.5)
        else:
            raise AssertionError(
                f"the restored app did not answer /healthz: {browser.request('GET', '/healthz')}"
            )
        say("the app runs on the restored database: /healthz 200")

        known = json.loads(facts.read_text())
        browser.sign_in(known["reader"])
        live, soon = known["notes"]["live"], known["notes"]["soon"]
        status, _location, page = browser.request("GET", f"/notes/{live['id']}/")
        assert status == 200 and live["canary"] in page, (status, page[:500])
        status, _location, page = browser.request("GET", f"/notes/{soon['id']}/")
        # Gone either way: unknown (404), or its reader told it is gone (410), never its text.
        assert status in (404, 410) and soon["canary"] not in page, status
        status, _location, page = browser.request("GET", "/notes/")
        assert live["id"] in page and soon["id"] not in page and soon["canary"] not in page
        status, _location, page = browser.request("GET", "/protocols/")
        assert status == 200 and "/protocols/" in page, status
        status, _location, page = browser.request("GET", "/oncall/")
        assert status == 200, status
        say(
            "signed in through the app: the live note opens for its reader, the purged one for nobody"
        )
        say(f"passed in {time.monotonic() - started:.0f} s")
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        subprocess.run(
            [*psql, "-c", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'],
            env=env,
            check=False,
        )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        {"seed": seed, "purge-later": purge_later, "check": check}[sys.argv[1]](Path(sys.argv[2]))
    else:
        drill()
