"""Configuration comes from the environment only, and production fails closed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "x7-production-like-secret-key-for-tests-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "line.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://line.example.org",
    "KEYRING_MASTER_KEY": "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMtISE=",
    "TIME_ZONE": "America/Chicago",
}
# Variables the test configuration sets that production never has.
TEST_ONLY = {
    "TESTING",
    "SECURE_SSL_REDIRECT",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "NOTE_KEY_ARGON2_MEMORY_KIB",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in TEST_ONLY and k not in PRODUCTION
    }
    environment.update(env)
    environment.setdefault("VAR_DIR", str(settings.BASE_DIR / "var" / "test-settings"))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", VAR_DIR=str(tmp_path), **PRODUCTION
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNING" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "secret", ["short", "django-insecure-" + "x" * 60], ids=["too-short", "placeholder"]
)
def test_production_refuses_a_weak_secret_key(tmp_path, secret):
    result = manage("check", VAR_DIR=str(tmp_path), **{**PRODUCTION, "SECRET_KEY": secret})
    assert result.returncode != 0
    assert "SECRET_KEY is too short or a development placeholder" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TIME_ZONE", "Mars/Olympus", "is not a known time zone"),
        ("LANGUAGE_CODE", "fr", "LANGUAGE_CODE must be one of"),
        ("DEBUG", "perhaps", "DEBUG must be true or false"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL must be"),
        ("ADMIN_URL", "admin/", "ADMIN_URL"),
    ],
)
def test_malformed_configuration_names_the_variable(tmp_path, variable, value, message):
    result = manage("check", VAR_DIR=str(tmp_path), **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        VAR_DIR=str(tmp_path),
        **PRODUCTION,
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_production_wraps_note_keys_with_64_mib_of_argon2(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.NOTE_KEY_ARGON2_MEMORY_KIB)",
        VAR_DIR=str(tmp_path),
        **PRODUCTION,
    )
    assert result.stdout.strip().splitlines()[-1] == "65536", result.stderr


def test_argon2_is_the_first_hasher():
    # The test fixture swaps in a fast hasher; the configured list is in the module.
    from crisisline import settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
