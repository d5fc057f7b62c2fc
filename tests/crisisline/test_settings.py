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
    "ADMIN_ENABLED",
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


def test_the_admin_is_off_in_production_unless_enabled(tmp_path):
    read = "from django.conf import settings; print('admin', settings.ADMIN_ENABLED)"
    result = manage("shell", "-c", read, VAR_DIR=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "admin False" in result.stdout
    enabled = manage("shell", "-c", read, VAR_DIR=str(tmp_path), ADMIN_ENABLED="true", **PRODUCTION)
    assert "admin True" in enabled.stdout


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
        ("PHONE_REGION", "Mexico", "PHONE_REGION must be a two-letter region"),
        ("PHONE_REGION", "XX", "PHONE_REGION must be a two-letter region"),
        *(
            (variable, value, f"{variable} must be a whole number from")
            for variable, values in {
                "SESSION_HOURS": ("many", "0", "1.5", "-3"),
                "INVITATION_HOURS": ("seventy-two", "0", "72h", "99999"),
                "PASSWORD_RESET_HOURS": ("", "0", "1e3"),
                "HSTS_SECONDS": ("a year", "-1", "99999999999"),
                "NOTE_KEY_ARGON2_MEMORY_KIB": ("lots", "4"),
                "NOTE_RETENTION_DEFAULT_HOURS": ("x", "0"),
                "NOTE_RETENTION_MAX_DAYS": ("a month", "0", "400"),
            }.items()
            for value in values
        ),
        ("EMAIL_URL", "not a url", "EMAIL_URL is not a mail URL"),
        ("EMAIL_URL", "smtp://mail.example.org:port", "EMAIL_URL is not a mail URL"),
        ("EMAIL_URL", "smtp://", "EMAIL_URL is not a mail URL"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS is not set"),
        ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS is not set"),
    ],
)
def test_malformed_configuration_names_the_variable(tmp_path, variable, value, message):
    result = manage("check", VAR_DIR=str(tmp_path), **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr
    # Said once, plainly: the reason is the last line, not buried in a traceback.
    assert variable in result.stderr.strip().splitlines()[-1]


def test_a_mail_url_that_does_not_work_is_not_repeated(tmp_path):
    """Its password would end up in whatever keeps the service's output."""
    url = "smtp://line:hunter2-secret@mail.example.org:port"
    result = manage("check", VAR_DIR=str(tmp_path), **{**PRODUCTION, "EMAIL_URL": url})
    assert "EMAIL_URL" in result.stderr
    assert "hunter2-secret" not in result.stderr + result.stdout


def test_well_formed_numbers_and_mail_are_used(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_AGE, s.INVITATION_HOURS, s.PASSWORD_RESET_TIMEOUT, "
        "s.SECURE_HSTS_SECONDS, s.EMAIL_HOST, s.EMAIL_PORT)",
        VAR_DIR=str(tmp_path),
        **{
            **PRODUCTION,
            "SESSION_HOURS": "12",
            "INVITATION_HOURS": " 24 ",
            "PASSWORD_RESET_HOURS": "1",
            "HSTS_SECONDS": "63072000",
            "EMAIL_URL": "smtp+tls://line:pw@mail.example.org:587",
        },
    )
    assert result.stdout.strip().splitlines()[-1] == (
        "43200 24 3600 63072000 mail.example.org 587"
    ), result.stderr


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
