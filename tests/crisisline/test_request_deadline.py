"""No request runs unbounded: gunicorn, started with the project's gunicorn.conf.py
(threaded workers), stops a request that runs over REQUEST_TIME_LIMIT while
/healthz keeps answering.

gunicorn's own `timeout` (30 s here) never ends a threaded worker that is busy in
a request: its main loop keeps sending heartbeats. The slow pages come from
tests/slow_settings.py, which only a server told to use it can reach.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LIMIT, GRACE = 1, 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    def get(self, path: str, timeout: float = 20) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Host": "localhost"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.slow_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "REQUEST_TIME_LIMIT": str(LIMIT),
        "REQUEST_TIME_GRACE": str(GRACE),
    }
    # /healthz reads the keyring's record: the database must be there, as in production.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "crisisline.wsgi"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    running = Server(port, process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if running.get("/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class HealthWatch:
    """Asks /healthz every 0.2 s in the background and keeps each answer."""

    server: Server
    answers: list[int | str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.answers.append(self.server.get("/healthz", timeout=2)[0])
            except OSError as error:
                self.answers.append(type(error).__name__)
            time.sleep(0.2)

    def __enter__(self) -> HealthWatch:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def test_a_busy_request_is_stopped_and_healthz_keeps_answering(server):
    pid_before = server.process.pid
    with HealthWatch(server) as health:
        started = time.monotonic()
        status, body = server.get("/slow/busy/")
        elapsed = time.monotonic() - started
    assert status == 503, server.log.read_text()
    assert b"This took too long" in body and b"Esto tard\xc3\xb3 demasiado" in body
    assert LIMIT <= elapsed < LIMIT + 2, elapsed
    # /healthz answered all along, from the worker's other thread.
    assert len(health.answers) >= 3 and set(health.answers) == {200}, health.answers
    # The worker lives on: the thread is free again, for the next request.
    assert server.get("/healthz")[0] == 200
    assert server.process.pid == pid_before and server.process.poll() is None
    assert "A request ran over 1 s and is stopped." in server.log.read_text()


def test_a_request_stuck_in_a_system_call_ends_its_worker_and_service_goes_on(server):
    with HealthWatch(server) as health:
        started = time.monotonic()
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            server.get("/slow/blocked/")
        elapsed = time.monotonic() - started
        # gunicorn starts a fresh worker; /healthz answers again.
        deadline = time.monotonic() + 20
        while True:
            try:
                if server.get("/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.2)
    assert LIMIT + GRACE <= elapsed < LIMIT + GRACE + 3, elapsed
    # Before the worker ended, /healthz was answered by its other thread.
    assert health.answers[:3] == [200, 200, 200], health.answers
    assert "could not be stopped: this worker ends" in server.log.read_text()
    assert server.process.poll() is None  # the arbiter itself runs on
