"""The systemd units for running without Docker (deploy/systemd/) are valid for
systemd (`systemd-analyze verify`, where it is installed) and run what
docker-compose runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def test_there_is_a_unit_for_the_web_service_and_one_for_the_scheduler():
    assert [unit.name for unit in UNITS] == [
        "crisisline-scheduler.service",
        "crisisline-web.service",
    ]
    web, scheduler = (
        (ROOT / "deploy/systemd/crisisline-web.service").read_text(),
        UNITS[0].read_text(),
    )
    assert "ExecStart=/srv/crisisline/.venv/bin/gunicorn -c gunicorn.conf.py crisisline.wsgi" in web
    assert "ExecStart=/srv/crisisline/.venv/bin/python manage.py runperiodic\n" in scheduler
    assert "Restart=always" in scheduler  # a scheduler that stops is what /healthz reports


def test_systemd_analyze_verify_finds_nothing(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (it comes with systemd)")
    # The units name /srv/crisisline: point them at this checkout's virtualenv so
    # that systemd can see the commands are there and executable.
    venv = Path(sys.executable).parent.parent
    for unit in UNITS:
        text = unit.read_text().replace("/srv/crisisline/.venv", str(venv))
        text = text.replace("EnvironmentFile=/", "EnvironmentFile=-/")  # no .env here
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Unknown keys and unparsable values are only warned about: none allowed.
    assert not [line for line in output.splitlines() if "crisisline-" in line], output
