"""The web service scales out: two gunicorn instances (the project's
gunicorn.conf.py, production settings) on one PostgreSQL database and one shared
keyring. Nothing that matters lives in one process: failed sign-ins are counted
across both, a person signed in through one reads their notes through the other,
and notes written at once through both into an hour with no key yet all open,
under one key. (docs/operations.md, "More than one web server".)"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from calls import keyring
from calls.models import CallNote
from crisisline.roles import RESPONDER
from tests.calls.conftest import note_form
from tests.crisisline.test_request_deadline import free_port
from tests.factory import PASSWORD, make_person

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the servers read what the test commits
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="more than one server needs PostgreSQL",
    ),
]


@dataclass
class Browser:
    """One person's browser, able to talk to either server (cookies by hand: the
    app's are Secure, and this is plain HTTP on 127.0.0.1)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection_.request(method, path, body=body, headers=headers)
            response = connection_.getresponse()
            text = response.read().decode()
        finally:
            connection_.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text

    def csrf(self, port: int, path: str) -> str:
        _status, _location, page = self.request(port, "GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def sign_in(self, port: int, username: str, password: str = PASSWORD) -> int:
        token = self.csrf(port, "/accounts/login/")
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.request(port, "POST", "/accounts/login/", form)[0]

    def write_note(self, port: int, body: str, keep_hours: int) -> str:
        token = self.csrf(port, "/notes/new/")
        form = {**note_form(body=body, keep_hours=str(keep_hours)), "csrfmiddlewaretoken": token}
        status, location, page = self.request(port, "POST", "/notes/new/", form)
        assert status == 302, page[:2000]
        return location


def _start(tmp_path: Path, name: str) -> tuple[int, subprocess.Popen, Path]:
    conf = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crisisline.settings",
        "DATABASE_URL": (
            f"postgres://{conf['USER']}{':' + conf['PASSWORD'] if conf.get('PASSWORD') else ''}"
            f"@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"
        ),
        "KEYRING_DIR": str(settings.KEYRING_DIR),  # one keyring, shared
        "VAR_DIR": str(tmp_path / name),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
    }
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "crisisline.wsgi"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return port, process, log


@pytest.fixture
def servers(tmp_path, settings) -> Iterator[tuple[int, int]]:
    # People made here must have passwords the servers' own hasher can check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    started = [_start(tmp_path, "one"), _start(tmp_path, "two")]
    try:
        for port, process, log in started:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if Browser().request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert process.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
        yield started[0][0], started[1][0]
    finally:
        for _port, process, _log in started:
            process.send_signal(signal.SIGTERM)
        for _port, process, _log in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_failed_sign_ins_are_counted_across_both_servers(servers):
    one, two = servers
    make_person("spread", RESPONDER)
    browser = Browser()
    # Five wrong passwords, spread over both servers (the limit for one account
    # from one client is five) ...
    for port in (one, two, one, two, one):
        assert browser.sign_in(port, "spread", "wrong password, again") == 200
    # ... and the right one is refused on either: each server saw only some.
    assert browser.sign_in(two, "spread") == 200
    assert browser.sign_in(one, "spread") == 200
    # Control: someone with fewer failures signs in through either.
    make_person("fewer", RESPONDER)
    other = Browser()
    for port in (one, two):
        assert other.sign_in(port, "fewer", "wrong password, again") == 200
    assert other.sign_in(two, "fewer") == 302


def test_signed_in_on_one_server_a_person_reads_their_notes_on_the_other(servers):
    one, two = servers
    make_person("reader", RESPONDER)
    browser = Browser()
    assert browser.sign_in(one, "reader") == 302  # unlocks their note key there
    location = browser.write_note(two, "Written through two. CANARY-TWO", keep_hours=72)
    status, _location, page = browser.request(one, "GET", location)
    assert status == 200 and "CANARY-TWO" in page
    status, _location, page = browser.request(two, "GET", location)
    assert status == 200 and "CANARY-TWO" in page


def test_notes_written_at_once_through_both_into_a_new_hour_share_one_key(servers):
    one, two = servers
    make_person("racer", RESPONDER)
    browser = Browser()
    assert browser.sign_in(one, "racer") == 302
    assert not keyring.buckets()  # no hour has a key yet
    locations: list[str] = []
    barrier = threading.Barrier(6)

    def write(port: int, number: int) -> None:
        barrier.wait()
        locations.append(browser.write_note(port, f"Race {number}. CANARY-{number}", 24))

    writers = [
        threading.Thread(target=write, args=(port, number))
        for number, port in enumerate((one, two) * 3)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert len(locations) == 6
    buckets = {note.body_bucket for note in CallNote.objects.all()}
    assert len(buckets) == 1
    (bucket,) = buckets
    assert len(list(settings.KEYRING_DIR.glob(f"bucket-{bucket}.*.key"))) == 1
    for number, location in enumerate(sorted(locations)):
        port = (one, two)[number % 2]
        status, _location, page = browser.request(port, "GET", location)
        assert status == 200 and re.search(r"CANARY-\d", page), page[:500]
    opened = set()
    for location in locations:
        opened |= set(re.findall(r"CANARY-\d", browser.request(one, "GET", location)[2]))
    assert opened == {f"CANARY-{number}" for number in range(6)}
