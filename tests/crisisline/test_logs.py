"""Logs and error reports never hold addresses, agents, bodies or queries."""

import logging
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from crisisline.logs import QuietExceptionReporterFilter, QuietFilter


def record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, message, args, None)


def test_filter_strips_addresses_and_query_strings():
    entry = record("Not Found: %s from %s", "/search?q=secret", "203.0.113.9")
    QuietFilter().filter(entry)
    message = entry.getMessage()
    assert "secret" not in message and "203.0.113.9" not in message
    assert "/search" in message


def test_filter_strips_ipv6_addresses():
    entry = record("client 2001:db8::1 said hi")
    QuietFilter().filter(entry)
    assert "2001:db8" not in entry.getMessage()


def test_error_report_hides_post_values_and_local_variables():
    request = RequestFactory().post("/notes/new/", {"body": "CANARY-post-value"})
    request.user = None
    try:
        secret = "CANARY-local-variable"  # noqa: F841
        raise ValueError("boom")
    except ValueError as exc:
        reporter = ExceptionReporter(request, type(exc), exc, exc.__traceback__)
        reporter.filter = QuietExceptionReporterFilter()
        text = reporter.get_traceback_text()
    assert "CANARY-post-value" not in text
    assert "CANARY-local-variable" not in text
    assert "boom" in text


def test_no_error_emails():
    assert settings.ADMINS == []
    handlers = {h["class"] for h in settings.LOGGING["handlers"].values()}
    assert "django.utils.log.AdminEmailHandler" not in handlers


def test_gunicorn_access_log_holds_no_address_agent_path_or_query():
    namespace: dict = {}
    exec((Path(settings.BASE_DIR) / "gunicorn.conf.py").read_text(), namespace)
    fmt = namespace["access_log_format"]
    for atom in ("%(h)s", "%(a)s", "%(q)s", "%(r)s", "%(U)s", "%(f)s", "{x-forwarded-for}i"):
        assert atom not in fmt
    assert "%(s)s" in fmt  # still useful: status and duration


def test_filter_leaves_clock_times_alone():
    entry = record("shift ends at 02:00:00")
    QuietFilter().filter(entry)
    assert entry.getMessage() == "shift ends at 02:00:00"


def test_filter_hides_token_shaped_path_segments():
    entry = record("Not Found: %s", "/feed/Zx8_kQ2mP0vLr7TnYb3aWc9d.ics")
    QuietFilter().filter(entry)
    assert "Zx8_kQ2mP0vLr7TnYb3aWc9d" not in entry.getMessage()
    assert entry.getMessage().startswith("Not Found: /feed/")


def test_filter_keeps_the_paths_of_a_traceback():
    line = (
        'File "/srv/.venv/lib/python3.11/site-packages/django_permissions_policy/__init__.py", '
        "line 164, in __call__ (tests/calls/test_seizure_sqlite_files.py)"
    )
    entry = record(line)
    QuietFilter().filter(entry)
    assert entry.getMessage() == line


# --- gunicorn's error log --------------------------------------------------------------------

TOKEN = "Zx8_kQ2mP0vLr7TnYb3aWc9d"
# gunicorn's own calls (gunicorn/workers/base.py, handle_error), with its own
# exception for a bad request line, through the logging gunicorn.conf.py sets up.
GUNICORN_LINES = f"""
import runpy, sys
from datetime import timedelta
from types import SimpleNamespace
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.http.errors import InvalidRequestLine

cfg = Config()
for name, value in runpy.run_path("gunicorn.conf.py").items():
    if name in cfg.settings:
        cfg.set(name, value)
log = Logger(cfg)
line = "GET /feed/{TOKEN}.ics?who=caller HTTP/1.1"
for ip in ("203.0.113.9", "2001:db8::7"):
    log.warning("Invalid request from ip={{ip}}: {{error}}".format(
        ip=ip, error=str(InvalidRequestLine(line))))
try:
    raise ValueError("cannot route /invite/{TOKEN}/?name=caller for 198.51.100.4")
except ValueError:
    log.exception("Error handling request %s %s", "GET", "/feed/{TOKEN}.ics?who=caller")
environ = {{
    "REQUEST_METHOD": "GET", "RAW_URI": "/feed/{TOKEN}.ics?who=caller",
    "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/feed/{TOKEN}.ics",
    "QUERY_STRING": "who=caller", "REMOTE_ADDR": "203.0.113.9",
    "HTTP_USER_AGENT": "SecretAgent/1.0", "HTTP_REFERER": "https://elsewhere.example/",
}}
log.access(SimpleNamespace(status="200 OK", sent=512, headers=[]),
           SimpleNamespace(headers=[]), environ, timedelta(milliseconds=7))
sys.stdout.flush()
"""


def gunicorn_output() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", GUNICORN_LINES],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_gunicorn_error_log_keeps_no_address_query_or_token():
    result = gunicorn_output()
    assert result.returncode == 0, result.stderr
    errors = result.stderr
    # The lines are there, and still say what went wrong and where...
    assert errors.count("Invalid request from ip=[address]: Invalid HTTP") == 2, errors
    assert "Invalid HTTP request line" in errors
    assert "Error handling request GET /feed/" in errors
    assert "ValueError: cannot route /invite/" in errors  # the traceback is kept
    # ...but nothing that identifies who sent the request, or what they asked for.
    for identifying in ("203.0.113.9", "2001:db8", "198.51.100.4", "caller", TOKEN):
        assert identifying not in errors, identifying


def test_gunicorn_access_log_keeps_its_format_through_the_logging_config():
    result = gunicorn_output()
    access = result.stdout.strip().splitlines()
    assert len(access) == 1, result.stdout
    assert re.fullmatch(r'\[[^\]]+\] "GET" 200 512 7ms', access[0]), access[0]


def test_gunicorn_error_log_passes_through_the_quiet_filter():
    namespace: dict = {}
    exec((Path(settings.BASE_DIR) / "gunicorn.conf.py").read_text(), namespace)
    config = namespace["logconfig_dict"]
    assert config["filters"]["quiet"]["()"] == "crisisline.logs.QuietFilter"
    for logger in ("gunicorn.error", "gunicorn.access"):
        for handler in config["loggers"][logger]["handlers"]:
            assert "quiet" in config["handlers"][handler]["filters"], (logger, handler)


def test_filter_quiets_tracebacks_too():
    try:
        raise ValueError("bad /feed/Zx8_kQ2mP0vLr7TnYb3aWc9d.ics?who=caller from 203.0.113.9")
    except ValueError:
        entry = logging.LogRecord(
            "gunicorn.error", logging.ERROR, __file__, 1, "Error", (), sys.exc_info()
        )
    QuietFilter().filter(entry)
    text = logging.Formatter().format(entry)
    assert "ValueError: bad /feed/" in text
    for identifying in ("203.0.113.9", "caller", "Zx8_kQ2mP0vLr7TnYb3aWc9d"):
        assert identifying not in text


# --- Caddy ------------------------------------------------------------------------------------


def caddy_global_log_block() -> str:
    caddyfile = (Path(settings.BASE_DIR) / "Caddyfile").read_text()
    code = "\n".join(line.split("#", 1)[0].rstrip() for line in caddyfile.splitlines())
    start = code.index("\tlog default {")
    return code[start : code.index("\n\t}", start)]


def test_caddy_keeps_no_access_log():
    caddyfile = (Path(settings.BASE_DIR) / "Caddyfile").read_text()
    site = caddyfile[caddyfile.index("{$DOMAIN} {") :]
    assert not re.search(r"^\s*log\b", site, re.M), "a site-level log directive is an access log"
    assert re.search(r"^\s*exclude\b.*\bhttp\.log\.access\b", caddy_global_log_block(), re.M)


def test_caddy_error_log_drops_every_field_about_the_client_or_request():
    block = caddy_global_log_block()
    assert "format filter" in block
    deleted = set(re.findall(r"^\s*(\S+)\s+delete\s*$", block, re.M))
    assert {"request", "remote_ip", "client_ip", "uri", "headers", "user_agent"} <= deleted
    # Loggers whose message text itself names the client are left out entirely.
    excluded = re.search(r"^\s*exclude\s+(.+)$", block, re.M).group(1).split()
    assert {"http.stdlib", "tls.handshake"} <= set(excluded)
    # Real errors stay visible: no level above ERROR, nothing discarded, and
    # http.log.error (the proxy's "the app does not answer") is not excluded.
    assert "discard" not in block
    assert not re.search(r"^\s*level\s+(PANIC|FATAL)", block, re.M)
    assert "http.log.error" not in excluded and "http.log" not in excluded
