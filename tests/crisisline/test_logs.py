"""Logs and error reports never hold addresses, agents, bodies or queries."""

import logging
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
