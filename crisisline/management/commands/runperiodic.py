"""The scheduler service: run each periodic command on its interval, forever.

Each command runs under its job lock (crisisline.periodic): a second scheduler,
or the app's opportunistic purge, holding it means this run is skipped. Each
command that finishes records its heartbeat, which /healthz reads."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from crisisline import periodic
from crisisline.models import Heartbeat

log = logging.getLogger("crisisline.periodic")


class Command(BaseCommand):
    help = "Run settings.PERIODIC_COMMANDS on their intervals (the scheduler service)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every command once and exit.")
        parser.add_argument("--tick", type=float, default=30.0, help="Seconds between checks.")

    def handle(self, *args: Any, once: bool = False, tick: float = 30.0, **options: Any) -> None:
        next_run = dict.fromkeys((name for name, _every in settings.PERIODIC_COMMANDS), 0.0)
        while True:
            now = time.monotonic()
            for name, every in settings.PERIODIC_COMMANDS:
                if now >= next_run[name]:
                    # A job that failed (the database still migrating, say) is
                    # tried again at the next tick, not a whole interval later.
                    next_run[name] = now + (every if self._run(name) else tick)
            if once:
                return
            time.sleep(tick)

    def _run(self, name: str) -> bool:
        """Run one job; False when it failed."""
        # Drop a connection the database closed while we slept (never one
        # inside a transaction, e.g. when called from a test).
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            with periodic.job_lock(name) as mine:
                if not mine:
                    log.info("periodic command %s skipped: another runner holds it", name)
                    self.stdout.write(f"{name}: skipped, another runner is on it\n")
                    return True  # done by the other runner: next time on schedule
                call_command(name, stdout=self.stdout)
                Heartbeat.beat(name)
        except Exception:
            # One failing job must not stop the others; the traceback names
            # the command, never any data (see crisisline.logs).
            log.exception("periodic command %s failed", name)
            return False
        return True
