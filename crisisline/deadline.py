"""A time limit for each request that holds under gunicorn's threaded workers.

gunicorn's `timeout` only kills a worker whose main loop stops answering the
arbiter; a gthread worker's main loop keeps answering while its threads are
busy, so a request may run for ever, and a few such requests hold every
thread (and `/healthz` stops answering). So each worker runs a watchdog
thread (started by gunicorn.conf.py's `post_worker_init`):

1. After `limit` seconds, it raises `RequestTooSlow` inside the request's
   thread. Python code stops at its next line; the middleware answers 503
   and the thread is free again. Open transactions roll back on the way out.
2. A thread that is blocked inside a C call (a system call, a lock, a long
   regular expression) does not see the exception. After `grace` more
   seconds the watchdog logs it and ends the whole worker process
   (`os._exit`): gunicorn's arbiter starts a fresh one. Other requests on
   that worker are cut off with it, as gunicorn's own timeout does for its
   sync workers.

A thread stuck in C code that holds the GIL stops the watchdog too, and with
it the worker's heartbeat: then gunicorn's own `timeout` ends the worker.

`RequestTooSlow` derives from BaseException so that Django's handlers (which
turn any Exception into a 500 page) let it through to the middleware.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)
TOO_SLOW_PAGE = Path(__file__).resolve().parent.parent / "templates" / "503.html"


class RequestTooSlow(BaseException):
    """Raised inside a request's thread once its time is up."""


@dataclass
class _Running:
    thread_id: int
    started: float
    interrupted: bool = False


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    # None cancels an exception that was set and not yet raised.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


def _end_worker() -> None:
    logging.shutdown()
    os._exit(1)


class Watchdog:
    def __init__(
        self, limit: float, grace: float, on_stuck: Callable[[], None] = _end_worker
    ) -> None:
        self.limit = limit
        self.grace = grace
        self.on_stuck = on_stuck
        self._lock = threading.Lock()
        self._running: dict[int, _Running] = {}
        self._next = 0

    def start(self) -> Watchdog:
        threading.Thread(target=self._watch, name="request-deadline", daemon=True).start()
        return self

    def begin(self) -> int:
        with self._lock:
            self._next += 1
            self._running[self._next] = _Running(threading.get_ident(), time.monotonic())
            return self._next

    def end(self, token: int) -> None:
        with self._lock:
            running = self._running.pop(token, None)
            if running is not None and running.interrupted:
                _raise_in(running.thread_id, None)

    def check(self) -> None:
        """Interrupt requests over the limit; end the worker for one stuck past the grace."""
        now = time.monotonic()
        with self._lock:
            for running in self._running.values():
                elapsed = now - running.started
                if elapsed > self.limit and not running.interrupted:
                    running.interrupted = True
                    logger.warning("A request ran over %d s and is stopped.", self.limit)
                    _raise_in(running.thread_id, RequestTooSlow)
                elif elapsed > self.limit + self.grace:
                    logger.error(
                        "A request ran over %d s and could not be stopped: this worker ends "
                        "and gunicorn starts a new one.",
                        self.limit + self.grace,
                    )
                    self.on_stuck()

    def _watch(self) -> None:
        while True:
            time.sleep(min(0.25, self.limit / 4))
            self.check()


_watchdog: Watchdog | None = None


def start(limit: float, grace: float) -> None:
    """Start this process's watchdog (gunicorn.conf.py calls it in each worker)."""
    global _watchdog
    _watchdog = Watchdog(limit, grace).start()


def too_slow() -> HttpResponse:
    response = HttpResponse(
        TOO_SLOW_PAGE.read_bytes(), status=503, content_type="text/html; charset=utf-8"
    )
    response["Retry-After"] = "30"
    return response


def request_deadline(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: each request under the watchdog, when one runs in this process."""

    def middleware(request: HttpRequest) -> HttpResponse:
        watchdog = _watchdog
        if watchdog is None:
            return get_response(request)
        token = watchdog.begin()
        try:
            return get_response(request)
        except RequestTooSlow:
            return too_slow()
        finally:
            watchdog.end(token)

    return middleware
