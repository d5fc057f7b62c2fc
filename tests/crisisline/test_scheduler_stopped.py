"""Expiry cannot stop silently: in a running system (gunicorn with the project's
gunicorn.conf.py, the scheduler as `manage.py runperiodic`, one SQLite file and
one keyring), stopping the scheduler turns /healthz to 503 once the last purge is
older than twice its interval, and the app's opportunistic purge still destroys
the key of an hour that is over.

The purge runs every 2 s here (PURGE_EVERY_SECONDS) and the app looks every
second (OPPORTUNISTIC_PURGE_EVERY), so the test takes seconds, not minutes."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from calls import keyring
from tests.crisisline.test_request_deadline import free_port


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _wait_for(what, *, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_stopping_the_scheduler_turns_healthz_503_and_the_app_still_destroys_keys(tmp_path):
    port = free_port()
    keyring_dir = tmp_path / "keyring"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crisisline.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "KEYRING_DIR": str(keyring_dir),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "PURGE_EVERY_SECONDS": "2",
        "OPPORTUNISTIC_PURGE_EVERY": "1",
    }
    run = {"cwd": settings.BASE_DIR, "env": env}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], check=True, **run)
    log = tmp_path / "system.log"
    with log.open("wb") as output:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "crisisline.wsgi"],
            stdout=output,
            stderr=subprocess.STDOUT,
            **run,
        )
        scheduler = subprocess.Popen(
            [sys.executable, "manage.py", "runperiodic", "--tick", "0.5"],
            stdout=output,
            stderr=subprocess.STDOUT,
            **run,
        )
    settings.KEYRING_DIR = keyring_dir  # this process writes keys into the same keyring
    try:

        def answers(status: int) -> bool:
            try:
                return _get(port, "/healthz")[0] == status
            except OSError:
                return False

        def scheduler_has_purged() -> bool:
            return "Purged " in log.read_text()

        # Running: the scheduler purges, /healthz is 200.
        _wait_for(scheduler_has_purged, seconds=60, log=log)
        _wait_for(lambda: answers(200), seconds=60, log=log)
        time.sleep(5)  # over twice the interval: still beating, still healthy
        assert _get(port, "/healthz")[0] == 200, log.read_text()[-3000:]

        # The scheduler stops. Within twice its interval (and a tick), /healthz says so.
        _stop(scheduler)
        stopped = time.monotonic()
        _wait_for(lambda: answers(503), seconds=20, log=log)
        assert time.monotonic() - stopped < 10
        status, reason = _get(port, "/healthz")
        assert status == 503
        assert "scheduled purge is late" in reason and "every 2 s" in reason

        # A key of an hour that is over: nobody purges on schedule any more, yet
        # the next requests to the app destroy it.
        past = keyring.bucket_for(timezone.now() - timedelta(hours=2))
        keyring.key_for(past, create=True)
        assert keyring.has_key(past)

        def app_destroyed_it() -> bool:
            _get(port, "/")
            return not keyring.has_key(past)

        _wait_for(app_destroyed_it, seconds=20, log=log)
        assert not list(keyring_dir.glob(f"bucket-{past}.*"))
        # Said in the log once the purge is over (after the key, after the response).
        _wait_for(
            lambda: "The app purged on its own: 1 past key(s)" in log.read_text(),
            seconds=20,
            log=log,
        )
        # And the monitor still hears that the scheduler is down.
        assert _get(port, "/healthz")[0] == 503
    finally:
        _stop(scheduler)
        _stop(web)
