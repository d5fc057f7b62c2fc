"""Personas and shared fixtures, after healthchecks' hc/test.py."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from crisisline.i18n import compile_catalogs
from crisisline.roles import COORDINATOR, RESPONDER, TRAINER, ensure_roles
from tests.depth import THOROUGH
from tests.factory import make_person


def pytest_configure(config: pytest.Config) -> None:
    # The Spanish UI is tested, so the catalogs must be compiled first: once, by the
    # main process, before any worker (pytest -n) starts reading them.
    if not hasattr(config, "workerinput"):
        compile_catalogs(Path(__file__).resolve().parent.parent)
        _share_one_html_checker(config)


def _share_one_html_checker(config: pytest.Config) -> None:
    """With workers (pytest -n) and browser tests among the paths asked for, start
    the HTML checker (tests/browser/audit.py) once, for every worker, now: its JVM's
    seconds of start-up pass while the workers collect and make their databases."""
    from tests.browser.audit import (
        PORT_VARIABLE,
        html_checker_available,
        start_html_checker,
        stop_html_checker,
    )

    if not config.getoption("numprocesses", default=None) or PORT_VARIABLE in os.environ:
        return
    if "not browser" in (config.option.markexpr or ""):
        return
    browser = Path(__file__).resolve().parent / "browser"
    here = config.invocation_params.dir
    asked = [(here / arg.split("::")[0]).resolve() for arg in config.args]
    if not any(browser.is_relative_to(p) or p.is_relative_to(browser) for p in asked):
        return
    if not html_checker_available():
        return  # the browser tests say so themselves
    port, process = start_html_checker()
    os.environ[PORT_VARIABLE] = str(port)  # the workers, started after this, inherit it
    config.add_cleanup(lambda: stop_html_checker(process))


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once() -> Iterator[None]:
    """Each test client loads the middleware afresh, and WhiteNoise then lists,
    stats and heads every static file (the admin's too, about 900): a third of a
    second per client, more than most tests take. List them once per process for
    the same settings; what a request for a static file answers is unchanged."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    list_files = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add_files_from_finders(self: WhiteNoiseMiddleware) -> None:
        key = (
            self.static_prefix,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.add_headers_function,
            getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None),
            tuple(map(str, settings.STATICFILES_DIRS)),
            settings.X_FRAME_OPTIONS,
            repr(settings.PERMISSIONS_POLICY),
        )
        if key not in listed:
            before = dict(self.files)
            list_files(self)
            listed[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(listed[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "add_files_from_finders", add_files_from_finders)
        yield


@pytest.fixture
def short_demo_roster(monkeypatch) -> None:
    """`load_demo` fills three days of roster instead of five weeks (all five in the
    thorough run, tests/depth.py): claiming five weeks' 860 places takes most of half
    a minute. For tests of the demo's people, names and repeating, which do not
    depend on the roster's length (tests/shifts/test_demo.py tests the roster)."""
    if THOROUGH:
        return
    from shifts import demo

    monkeypatch.setattr(demo, "load", functools.partial(demo.load, days=3))


@pytest.fixture(autouse=True)
def _fast_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing rendered (the cache lives in the process)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _line_language():
    """Each test starts in the line's language: a test that switched to Spanish
    through a request leaves it active in the thread otherwise."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _isolated_keyring(settings, tmp_path):
    """Every test gets its own empty keyring, never the shared one under var/."""
    settings.KEYRING_DIR = tmp_path / "keyring"
    return settings.KEYRING_DIR


@pytest.fixture(autouse=True)
def _isolated_locks(settings, tmp_path):
    """Periodic jobs' file locks (SQLite) live in each test's own directory."""
    settings.PERIODIC_LOCK_DIR = tmp_path / "locks"


@pytest.fixture(autouse=True)
def _roles_survive_flushes(request):
    """Transactional tests (live server, browser) flush the database afterwards,
    taking the role groups the migrations created with it: put them back."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_roles()


@pytest.fixture(scope="module")
def built_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The world (tests/world.py) a module's tests share, built once; a module may
    add to it with a `finish_world(world)` function."""
    from tests.world import shared_world

    keyring = tmp_path_factory.mktemp("keyring") / "keyring"
    finish = getattr(request.module, "finish_world", None)
    yield from shared_world(django_db_blocker, keyring, finish)


@pytest.fixture
def world(built_world, db, settings, tmp_path):
    """This test's copy of its module's world, with a keyring of its own."""
    from tests.world import for_test

    settings.KEYRING_DIR = tmp_path / "keyring"
    return for_test(built_world, settings)


@pytest.fixture
def responder(db):
    return make_person("resp", RESPONDER, display_name="Sam Responder", pronouns="they/them")


@pytest.fixture
def coordinator(db):
    return make_person("coord", COORDINATOR, RESPONDER, display_name="Rosa Coordinator")


@pytest.fixture
def trainer(db):
    return make_person("train", TRAINER, display_name="Ade Trainer")


@pytest.fixture
def outsider(db):
    """Signed in, but holding no role at all."""
    return make_person("nobody", display_name="No Role")


@pytest.fixture
def deactivated(db):
    person = make_person("gone", RESPONDER, display_name="Gone Person")
    person.is_active = False
    person.save()
    return person


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def as_responder(responder) -> Client:
    return client_for(responder)


@pytest.fixture
def as_coordinator(coordinator) -> Client:
    return client_for(coordinator)


@pytest.fixture
def as_trainer(trainer) -> Client:
    return client_for(trainer)


@pytest.fixture
def as_outsider(outsider) -> Client:
    return client_for(outsider)
