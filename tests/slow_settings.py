"""Settings for tests/crisisline/test_request_deadline.py only: the project's
settings with two deliberately slow pages added. Nothing in the project names
this module; a server runs it only when DJANGO_SETTINGS_MODULE says so."""

from crisisline.settings import *  # noqa: F403

ROOT_URLCONF = "tests.slow_urls"
