"""The request watchdog on its own, in this process (gunicorn: test_request_deadline.py)."""

from __future__ import annotations

import threading
import time

from crisisline.deadline import RequestTooSlow, Watchdog


def run_in_thread(watchdog: Watchdog, work) -> dict:
    outcome: dict = {}

    def request() -> None:
        token = watchdog.begin()
        try:
            work()
            outcome["finished"] = True
        except RequestTooSlow:
            outcome["stopped"] = True
        finally:
            watchdog.end(token)

    thread = threading.Thread(target=request, daemon=True)
    thread.start()
    outcome["thread"] = thread
    return outcome


def tick_until(watchdog: Watchdog, done, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
        watchdog.check()


def test_python_code_over_the_limit_is_stopped():
    stuck = []
    watchdog = Watchdog(limit=0.2, grace=5, on_stuck=lambda: stuck.append(True))

    def busy() -> None:
        while True:
            sum(range(100))

    outcome = run_in_thread(watchdog, busy)
    tick_until(watchdog, lambda: not outcome["thread"].is_alive())
    assert outcome.get("stopped") and not outcome.get("finished")
    assert not stuck


def test_a_quick_request_is_left_alone():
    watchdog = Watchdog(limit=1, grace=1, on_stuck=lambda: None)
    outcome = run_in_thread(watchdog, lambda: time.sleep(0.05))
    tick_until(watchdog, lambda: not outcome["thread"].is_alive())
    assert outcome.get("finished") and not outcome.get("stopped")


def test_a_thread_blocked_in_a_c_call_ends_the_worker_after_the_grace():
    stuck = []
    release = threading.Event()
    watchdog = Watchdog(limit=0.2, grace=0.3, on_stuck=lambda: stuck.append(True))
    outcome = run_in_thread(watchdog, lambda: release.wait(30))
    tick_until(watchdog, lambda: bool(stuck))
    assert stuck  # here gunicorn's worker would end: os._exit
    release.set()
    outcome["thread"].join(5)
