"""gunicorn settings for production (docker-compose's web service).

The access log has time, method, status, size and duration only: no client
address, user agent, path or query string (paths can carry feed tokens).
The error log goes through crisisline.logs.QuietFilter, because gunicorn
writes lines such as "Invalid request from ip=<address>: <request line>" and
"Error handling request <method> <path?query>".
"""

import os


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, str(default)).strip()
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _whole_number("GUNICORN_WORKERS", 3)
threads = _whole_number("GUNICORN_THREADS", 2)
# `timeout` ends a worker whose main loop stops answering; a threaded worker's main
# loop keeps answering while a request runs on, so the time limit of a request is
# kept by a watchdog in each worker (crisisline/deadline.py), started below.
timeout = 30
# Request line and headers: what this app needs, well below gunicorn's own
# maxima. The longest URLs carry a token or a short query string; headers are a
# browser's usual ones plus three small cookies. gunicorn has no limit on the
# request body at all: Caddy caps it (request_body in the Caddyfile) and Django
# answers 413 from Content-Length before reading it (crisisline/limits.py).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
_request_time_limit = _whole_number("REQUEST_TIME_LIMIT", 20)
_request_time_grace = _whole_number("REQUEST_TIME_GRACE", 10)
accesslog = "-"
access_log_format = '%(t)s "%(m)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# X-Forwarded-Proto is believed only from the reverse proxy in front.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# gunicorn 24+ opens a control socket (reload, scale workers) under ~/.gunicorn/:
# nothing here uses it, and the container's home is read-only.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    from crisisline import deadline

    deadline.start(_request_time_limit, _request_time_grace)


# gunicorn applies this after setting up its own handlers, replacing them for
# the loggers named here. The filter is named by its dotted path: it is
# imported when gunicorn configures logging, after it has put the project on
# sys.path.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet": {"()": "crisisline.logs.QuietFilter"}},
    "formatters": {
        "error": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "error",
            "filters": ["quiet"],
            "stream": "ext://sys.stderr",
        },
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["quiet"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        # No level here: gunicorn's own --log-level keeps deciding.
        "gunicorn.error": {"handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "propagate": False},
    },
}
