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
    assert "\tlog" not in caddyfile  # no access log of client addresses


def test_every_variable_the_settings_read_is_documented():
    source = (ROOT / "crisisline" / "settings.py").read_text()
    read = set(re.findall(r"(?:env\.\w+|_flag|_required_secret)\(\s*\"([A-Z_]+)\"", source))
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "TIME_ZONE"} <= read
    documented = (ROOT / ".env.example").read_text()
    for variable in [*sorted(read - {"TESTING"}), "DOMAIN", "POSTGRES_PASSWORD"]:
        assert re.search(rf"^#? ?{variable}=", documented, re.M), variable
