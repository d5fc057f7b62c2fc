"""Keep logs and error reports free of what could identify callers or people."""

from __future__ import annotations

import logging
import re
from collections.abc import ItemsView
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

_IP = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b"  # IPv4
    r"|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b"  # full IPv6
    # IPv6 with ::, leaving a colon that follows it alone ("ip=2001:db8::7: …")
    r"|(?<![\w:])(?:[0-9a-f]{1,4}:)*[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?"
    r"(?!\w)(?!:[0-9a-f])",
    re.I,
)
_QUERY = re.compile(r"\?\S*")
# Path segments that look like secrets (feed, forwarding, invitation tokens): 20 or
# more URL-safe characters with a capital or a digit among them (random tokens all
# but always have both), not a source file, so that tracebacks keep their paths
# ("/django_permissions_policy/__init__.py").
_TOKEN = re.compile(r"(?<=/)(?=[A-Za-z0-9_-]*[A-Z0-9])[A-Za-z0-9_-]{20,}+(?!\.py\b)")


class QuietExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports show where it broke, never what was submitted."""

    def is_active(self, request: Any) -> bool:
        return True

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        return {}.items()


def quiet(text: str) -> str:
    """`text` without IP addresses, query strings or token-shaped path segments."""
    return _TOKEN.sub("…", _QUERY.sub("?…", _IP.sub("[address]", text)))


class QuietFilter(logging.Filter):
    """Strip query strings, token-shaped path segments and anything shaped like
    an IP address from log lines, tracebacks included.

    Django's own request logging mentions paths only, but this is the last
    line of defence for any message that carries more than it should. It also
    quiets gunicorn's error log (gunicorn.conf.py), whose lines name the
    client's address and the request's full URI.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        quieted = quiet(message)
        if quieted != message:
            record.msg, record.args = quieted, ()
        # An exception's text can hold the request too (a bad request line, a
        # URI in an error message): format it here, quietly, so that the
        # formatter prints this text instead of formatting it again.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = quiet(record.exc_text)
        if record.stack_info:
            record.stack_info = quiet(record.stack_info)
        # Django attaches the request to django.request records; formatters in
        # other deployments could print it, so drop it.
        if hasattr(record, "request"):
            record.request = None
        return True
