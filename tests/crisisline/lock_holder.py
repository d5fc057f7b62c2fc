"""Run by tests/crisisline/test_periodic_lock.py as a separate process: try a
periodic job's lock, say whether it was got ("held" or "refused"), and keep it
until standard input is closed."""

import sys

import django

django.setup()

from crisisline import periodic  # noqa: E402

with periodic.job_lock(sys.argv[1]) as mine:
    print("held" if mine else "refused", flush=True)
    sys.stdin.read()
