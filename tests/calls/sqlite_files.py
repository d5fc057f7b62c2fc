"""Run a driver module in a server-like process against a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def run_driver(module: str, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m module workdir *args` with the project's settings, a database
    file, keyring and var directory under `workdir`; output captured."""
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "VAR_DIR": str(workdir),
        "KEYRING_DIR": str(workdir / "keyring"),
        "DJANGO_SETTINGS_MODULE": "crisisline.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    return subprocess.run(
        [sys.executable, "-m", module, str(workdir), *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
