"""Keep logs and error reports free of what could identify callers or people."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

_IP = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b"  # IPv4
    r"|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b"  # full IPv6
    r"|(?<![\w:])(?:[0-9a-f]{1,4}:)*[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}:?)*(?![\w:])",  # IPv6 with ::
    re.I,
)
_QUERY = re.compile(r"\?\S*")
# Path segments that look like secrets (feed, forwarding, invitation tokens).
_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}")


class QuietExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports show where it broke, never what was submitted."""

    def is_active(self, request: Any) -> bool:
        return True

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, str]]:
        return []


class QuietFilter(logging.Filter):
    """Strip query strings and anything shaped like an IP address from log lines.

    Django's own request logging mentions paths only, but this is the last
    line of defence for any message that carries more than it should.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        quiet = _TOKEN.sub("…", _QUERY.sub("?…", _IP.sub("[address]", message)))
        if quiet != message:
            record.msg, record.args = quiet, ()
        # Django attaches the request to django.request records; formatters in
        # other deployments could print it, so drop it.
        if hasattr(record, "request"):
            record.request = None
        return True
