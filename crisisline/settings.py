"""Settings for crisisline, read from the environment only (see .env.example).

Fails closed: DEBUG is off unless asked for, and without DEBUG the app refuses
to start until every secret it needs is set, naming the missing variable.
"""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path
from typing import Literal

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from crisisline.static_headers import add_static_headers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _flag(name: str, default: bool) -> bool:
    """A yes/no variable; anything but a clear yes or no stops the start."""
    value = env.str(name, default=str(default)).strip().lower()
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def _whole_number(name: str, default: int, *, least: int, most: int) -> int:
    """A whole-number variable within [least, most]; anything else stops the start."""
    value = env.str(name, default=str(default)).strip()
    if re.fullmatch(r"[0-9]{1,12}", value) and least <= int(value) <= most:
        return int(value)
    raise ImproperlyConfigured(
        f"{name} must be a whole number from {least} to {most}, not {value!r}."
    )


DEBUG = _flag("DEBUG", default=False)
# Set by the test configuration (pyproject.toml) so that static files need no
# collectstatic run; never set it in production.
TESTING = _flag("TESTING", default=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def _required_secret(name: str, *, dev_default: str) -> str:
    """A secret that production must set; development gets a visibly fake one."""
    value: str = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"{name} is not set. Set it in the environment or in .env "
        f"(see .env.example); it is required when DEBUG is off."
    )


SECRET_KEY = _required_secret(
    "SECRET_KEY", dev_default="django-insecure-development-only-never-use-this-key-in-production"
)
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(
        "SECRET_KEY is too short or a development placeholder: use at least 50 random "
        "characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = [
    host
    for host in env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
    )
    if host.strip()
]
if not DEBUG and not ALLOWED_HOSTS:
    # Django would start and then answer every request with 400: say why instead.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set it to the host names this site answers to, "
        "comma-separated (e.g. line.example.org); it is required when DEBUG is off."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Addresses of the reverse proxy in front of the app; only from these is
# X-Forwarded-For believed (for the sign-in throttle's client key).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    "crisisline",
    "shifts",
    "calls",
    "protocols",
    "crisisline.apps.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
]

MIDDLEWARE = [
    # Outermost, so that every response carries them, even a 400 for a bad Host
    # that the security middleware answers before the rest runs.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files get their own, stricter headers: crisisline/static_headers.py.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside the middleware that sets headers, so a "took too long" page gets them.
    "crisisline.deadline.request_deadline",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: see crisisline/limits.py.
    "crisisline.limits.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who made each roster or people change: crisisline/audit.py.
    "crisisline.audit.ActorMiddleware",
]

ROOT_URLCONF = "crisisline.urls"
WSGI_APPLICATION = "crisisline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crisisline.context_processors.line",
                "calls.context_processors.check_out",
            ],
            # Dates in each language's own order ("martes 1 de diciembre"): crisisline/dates.py
            "builtins": ["crisisline.templatetags.dates"],
        },
    }
]

# --- Database -------------------------------------------------------------
_database = env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
if _database.get("ENGINE") not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured(
        "DATABASE_URL must be a postgres://… or sqlite:///… URL "
        "(leave it unset for SQLite under var/)."
    )
DATABASES = {"default": _database}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # secure_delete overwrites deleted rows; WAL lets readers and the purge
        # run beside writers; IMMEDIATE avoids "database is locked" upgrades.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON; "
            "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Keep connections open between requests (each gunicorn worker holds one).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each worker's memory only (nothing on disk): rendered roster shifts, keyed
# by what they show, so a changed shift is never served from it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# --- People ---------------------------------------------------------------
AUTH_USER_MODEL = "crisisline.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The line's name and words, the username repeated: crisisline/passwords.py.
    {"NAME": "crisisline.passwords.LineWordsValidator"},
]
INVITATION_HOURS = _whole_number("INVITATION_HOURS", 72, least=1, most=24 * 30)
PASSWORD_RESET_TIMEOUT = _whole_number("PASSWORD_RESET_HOURS", 72, least=1, most=24 * 30) * 3600
# Failed sign-ins (passwords and second-step codes) count for 15 minutes: tight
# for one account from one client, loose for an account from anywhere and for one
# client across accounts (an office behind one address), so that knowing a
# username is not enough to lock its owner out. A browser that signed in to the
# account before (its `device` cookie) is held to its own tight limit instead.
SIGNIN_THROTTLE_MINUTES = 15
SIGNIN_FAILURES_PER_ACCOUNT_AND_CLIENT = 5
SIGNIN_FAILURES_PER_ACCOUNT = 20
SIGNIN_FAILURES_PER_CLIENT = 50
SIGNIN_FAILURES_PER_DEVICE = 5
SIGNIN_CODE_FAILURES_PER_ACCOUNT = 5
DEVICE_COOKIE_DAYS = _whole_number("DEVICE_COOKIE_DAYS", 90, least=1, most=400)
# How long the record of roster and people changes is kept (crisisline/audit.py).
CHANGE_RECORD_DAYS = _whole_number("CHANGE_RECORD_DAYS", 180, least=1, most=3660)
# Between the password and the second step (or enrolment at sign-in).
SIGNIN_SECOND_STEP_MINUTES = 10

# --- Sessions, cookies, transport -------------------------------------------
SESSION_COOKIE_AGE = _whole_number("SESSION_HOURS", 72, least=1, most=24 * 90) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE: Literal["Lax", "Strict", "None", False] = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE: Literal["Lax", "Strict", "None", False] = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_FAILURE_VIEW = "crisisline.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Read even with DEBUG on, so that a typo shows up before production.
_HSTS_SECONDS = _whole_number("HSTS_SECONDS", 31_536_000, least=0, most=2 * 31_536_000)
SECURE_HSTS_SECONDS = 0 if DEBUG else _HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    },
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "geolocation": [],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# --- Request bodies (crisisline/limits.py) -------------------------------------
# Caddy (request_body) and gunicorn (request line and headers) cap what reaches
# the app; gunicorn has no body cap, so Django answers 413 from Content-Length
# before reading. A form takes at most 2 MiB (a protocol page of 100,000
# characters, percent-encoded); the bundle import says how much more it takes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest form, the decision-tree editor, sends about 850 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 1
# Uploads stay in memory (bounded by the caps above), never spooled to /tmp.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

# --- Language and time ------------------------------------------------------
LANGUAGES = [("en", "English"), ("es", "Español")]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}."
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"TIME_ZONE={TIME_ZONE!r} is not a known time zone (use a name such as "
        "America/Chicago or Europe/Madrid)."
    ) from exc
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = None if TESTING else Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_ADD_HEADERS_FUNCTION = add_static_headers
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email (optional) -----------------------------------------------------------
EMAIL_ENABLED = bool(env.str("EMAIL_URL", default="").strip())
if EMAIL_ENABLED:
    try:
        _email = env.email_url("EMAIL_URL")
    except (ImproperlyConfigured, ValueError, KeyError):
        _email = {}
    if not _email or (
        _email.get("EMAIL_BACKEND", "").endswith("smtp.EmailBackend") and not _email["EMAIL_HOST"]
    ):
        # The value is not repeated: it may hold a password.
        raise ImproperlyConfigured(
            "EMAIL_URL is not a mail URL that can be used: write it as "
            "smtp+tls://user:password@host:587 (or smtp://, smtp+ssl://), "
            "or leave it empty to send no mail."
        )
    vars().update(_email)
else:
    EMAIL_BACKEND = (
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.dummy.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crisisline@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Quiet operations -------------------------------------------------------------
# Nobody gets error emails; error reports carry no POST data and no local
# variables, and log lines carry no client address, user agent or query string.
ADMINS: list[tuple[str, str]] = []
MANAGERS: list[tuple[str, str]] = []
DEFAULT_EXCEPTION_REPORTER_FILTER = "crisisline.logs.QuietExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"quiet": {"()": "crisisline.logs.QuietFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["quiet"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "crisisline": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# The Django admin is off unless enabled (on by default only with DEBUG); when
# on, it is signed in to through the line's own sign-in (throttle, two steps).
ADMIN_ENABLED = _flag("ADMIN_ENABLED", default=DEBUG)
ADMIN_URL = env.str("ADMIN_URL", default="line-admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.strip("/") in {"", "admin"}:
    raise ImproperlyConfigured("ADMIN_URL must end with '/' and must not be 'admin/'.")

# Periodic commands run by `manage.py runperiodic` (the scheduler service):
# (command name, every so many seconds). Each command is idempotent.
PERIODIC_COMMANDS: list[tuple[str, int]] = [
    ("prune", 3600),
    # Sign-in failures are deleted once past their window; the scheduler checks
    # every 30 s, so none outlives it by more than a minute (as documented).
    ("prune_sign_in_failures", 30),
]

# --- Call notes (calls app) -----------------------------------------------------
# Note bodies are encrypted under one key per hour of expiry; the keys live in
# KEYRING_DIR (outside the database, its own volume), each wrapped by
# KEYRING_MASTER_KEY, so a database copy alone never holds a usable key.
KEYRING_DIR = Path(env.str("KEYRING_DIR", default=str(VAR_DIR / "keyring")))


def _keyring_master_key() -> bytes:
    """32 bytes from KEYRING_MASTER_KEY (base64); the demo makes one once under var/."""
    import base64
    import binascii
    import os
    import secrets

    value = env.str("KEYRING_MASTER_KEY", default="").strip()
    if not value and DEBUG:
        stored = VAR_DIR / "keyring-master-key"
        if not stored.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
        value = stored.read_text().strip()
    if not value:
        raise ImproperlyConfigured(
            "KEYRING_MASTER_KEY is not set. It is required when DEBUG is off: base64 of "
            "32 random bytes, e.g. from `python -c 'import base64, secrets; "
            "print(base64.b64encode(secrets.token_bytes(32)).decode())'`."
        )
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured("KEYRING_MASTER_KEY must be base64 of exactly 32 bytes.")
    return key


KEYRING_MASTER_KEY = _keyring_master_key()
# Argon2id memory for wrapping each person's note key with their password (KiB).
NOTE_KEY_ARGON2_MEMORY_KIB = _whole_number(
    "NOTE_KEY_ARGON2_MEMORY_KIB", 64 * 1024, least=8, most=4 * 1024 * 1024
)
NOTE_RETENTION_DEFAULT_HOURS = _whole_number(
    "NOTE_RETENTION_DEFAULT_HOURS", 72, least=1, most=366 * 24
)
NOTE_RETENTION_MAX_DAYS = _whole_number("NOTE_RETENTION_MAX_DAYS", 30, least=1, most=366)
if NOTE_RETENTION_DEFAULT_HOURS > NOTE_RETENTION_MAX_DAYS * 24:
    raise ImproperlyConfigured(
        "NOTE_RETENTION_DEFAULT_HOURS must be between 1 and NOTE_RETENTION_MAX_DAYS × 24."
    )
# How often the scheduler purges (seconds). /healthz answers 503 once the last
# scheduled purge is older than twice this: the scheduler has stopped.
PURGE_EVERY_SECONDS = _whole_number("PURGE_EVERY_SECONDS", 300, least=1, most=3600)
PERIODIC_COMMANDS.append(("purge_expired", PURGE_EVERY_SECONDS))
# The app's second line of defence: after a response has been sent, a web worker
# destroys the keys of past hours itself (and deletes their notes within a small
# time budget), at most once every so many seconds. 0 turns it off (the tests do,
# except where they test it).
OPPORTUNISTIC_PURGE_EVERY = _whole_number("OPPORTUNISTIC_PURGE_EVERY", 60, least=0, most=3600)
# Where periodic jobs take their file locks on SQLite (PostgreSQL uses advisory
# locks): one runner at a time per job, across processes on this host.
PERIODIC_LOCK_DIR = Path(env.str("PERIODIC_LOCK_DIR", default=str(VAR_DIR / "locks")))
# What became of a gone note (done, burned, handed on, expired) is kept for its
# former readers this many days, without anything the note said; then purged.
NOTE_ENDING_DAYS = 7
# Debrief and break requests from shift check-out live until acknowledged, at most
# this many days; the check-out question is asked for this many hours after a shift.
AFTERCARE_REQUEST_DAYS = 7
CHECK_OUT_HOURS = 12
# Notices from coordinators live until the end of a chosen day, at most this many days.
NOTICE_MAX_DAYS = 14
# Field check-ins overdue are emailed to whoever holds the line, checked every minute.
PERIODIC_COMMANDS.append(("alert_missed_check_ins", 60))

# --- shifts ---------------------------------------------------------------------
# Reminders before shifts (only sent when EMAIL_URL is set; each person chooses
# how many hours ahead, off by default).
PERIODIC_COMMANDS.append(("send_shift_reminders", 300))
# Line-gap alerts: once per empty or unreachable line-holder place in the next
# 48 hours, to free qualified responders and the coordinators (email only).
PERIODIC_COMMANDS.append(("alert_line_gaps", 600))

# Phone numbers are stored in E.164 (+ and country code). PHONE_REGION is the
# two-letter region (ISO 3166, e.g. MX, ES, US, GB) a number typed without its
# country code is read in. Left empty (the default), no region is guessed and
# every number must be typed with its country code.
PHONE_REGION = env.str("PHONE_REGION", default="").strip().upper()
if PHONE_REGION:
    import phonenumbers

    if PHONE_REGION not in phonenumbers.SUPPORTED_REGIONS:
        raise ImproperlyConfigured(
            f"PHONE_REGION must be a two-letter region such as MX, ES or US, not {PHONE_REGION!r}."
        )
