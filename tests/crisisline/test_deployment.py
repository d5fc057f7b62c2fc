"""docker-compose.yml cannot run here (no Docker engine), so check it closely."""

from __future__ import annotations

import re
import shlex
from importlib import import_module
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def app_services(compose: dict) -> dict[str, dict]:
    return {
        name: s for name, s in compose["services"].items() if s.get("image") == "crisisline:latest"
    }


def commands_in(service: dict) -> list[list[str]]:
    """Each command line a service runs (sh -c chains split on &&)."""
    command = service.get("command")
    if command is None:
        return []
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part.replace("exec ", "", 1)) for part in command[2].split("&&")]
    return [command]


def test_every_service_command_exists_in_the_project(compose):
    known = get_commands()
    checked = 0
    for name, service in app_services(compose).items():
        for argv in commands_in(service):
            checked += 1
            if argv[:2] == ["python", "manage.py"]:
                assert argv[2] in known, f"{name}: no management command {argv[2]!r}"
            elif argv[0] == "gunicorn":
                config = argv[argv.index("-c") + 1]
                assert (ROOT / config).is_file(), f"{name}: {config} missing"
                module, _, attribute = argv[-1].partition(":")
                assert hasattr(import_module(module), attribute or "application")
            else:
                pytest.fail(f"{name}: unexpected command {argv}")
    assert checked >= 3  # migrate, gunicorn, runperiodic


def test_the_scheduler_runs_the_periodic_loop(compose):
    assert commands_in(compose["services"]["scheduler"]) == [["python", "manage.py", "runperiodic"]]
    for command, _every in settings.PERIODIC_COMMANDS:
        assert command in get_commands(), command


def test_web_migrates_then_serves_and_waits_for_a_healthy_database(compose):
    web = compose["services"]["web"]
    assert next(argv[:3] for argv in commands_in(web)) == ["python", "manage.py", "migrate"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert "pg_isready" in compose["services"]["db"]["healthcheck"]["test"]


def test_app_containers_run_as_non_root_on_a_read_only_filesystem(compose):
    for name, service in app_services(compose).items():
        assert service["user"] not in ("0", "root", "0:0"), name
        assert service["read_only"] is True, name
    assert "USER 10001:10001" in (ROOT / "Dockerfile").read_text()


def test_database_and_keyring_have_separate_named_volumes(compose):
    assert {"db", "keyring"} <= set(compose["volumes"])
    assert "db:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    for name, service in app_services(compose).items():
        assert "keyring:/keyring" in service["volumes"], name
        assert service["environment"]["KEYRING_DIR"] == "/keyring"
    assert "keyring:/keyring" not in compose["services"]["db"]["volumes"]


def test_only_the_proxy_is_published_and_only_it_is_trusted(compose):
    published = [name for name, s in compose["services"].items() if s.get("ports")]
    assert published == ["proxy"]
    proxy_address = compose["services"]["proxy"]["networks"]["internal"]["ipv4_address"]
    for service in app_services(compose).values():
        assert service["environment"]["TRUSTED_PROXIES"] == proxy_address
        assert service["environment"]["FORWARDED_ALLOW_IPS"] == proxy_address
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    # No access log of client addresses (the global logger: test_logs.py).
    site = caddyfile[caddyfile.index("{$DOMAIN} {") :]
    assert not re.search(r"^\s*log\b", site, re.M)


def variables_read_by(path: Path) -> set[str]:
    """Names passed to the environment readers of settings.py and gunicorn.conf.py."""
    readers = r"(?:env\.\w+|_flag|_required_secret|_whole_number|os\.environ\.get|os\.getenv)"
    source = path.read_text()
    return {
        *re.findall(rf"{readers}\(\s*\"([A-Z_0-9]+)\"", source),
        *re.findall(r"os\.environ\[\"([A-Z_0-9]+)\"\]", source),
    }


def test_every_variable_the_settings_read_is_documented():
    read = variables_read_by(ROOT / "crisisline" / "settings.py")
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "TIME_ZONE"} <= read
    assert {"SESSION_HOURS", "INVITATION_HOURS", "HSTS_SECONDS", "EMAIL_URL"} <= read
    served = variables_read_by(ROOT / "gunicorn.conf.py")
    assert {
        "GUNICORN_BIND",
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "FORWARDED_ALLOW_IPS",
    } <= served
    documented = (ROOT / ".env.example").read_text()
    for variable in [*sorted((read | served) - {"TESTING"}), "DOMAIN", "POSTGRES_PASSWORD"]:
        assert re.search(rf"^#? ?{variable}=", documented, re.M), variable


def test_the_image_build_step_runs_with_only_what_the_dockerfile_sets(tmp_path):
    """No Docker engine here: run the build stage's own RUN line (catalogs and
    static files under production settings) in a bare environment, as the image
    build would, with its paths moved under tmp_path."""
    import os
    import subprocess

    dockerfile = (ROOT / "Dockerfile").read_text()
    step = next(
        block
        for block in dockerfile.split("\nRUN ")
        if "collectstatic" in block and "compilecatalogs" in block
    ).split("\nFROM ")[0]
    script = (
        step.replace("rm -rf .venv/.synced var .env", "true")
        .replace("/app/staticfiles", str(tmp_path / "static"))
        .replace("/tmp/build-var", str(tmp_path / "var"))
    )
    result = subprocess.run(
        ["bash", "-euc", script],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert list((tmp_path / "static").glob("crisisline.*.css"))
    assert not (tmp_path / "var").exists()  # the build's throwaway secrets go with it


def test_gunicorn_opens_no_control_socket():
    """gunicorn 24+ would listen on a control socket under the (read-only) home."""
    import runpy

    from gunicorn.config import Config

    cfg = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    assert cfg.control_socket_disable is True
