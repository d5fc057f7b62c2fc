"""Request bodies are capped before anything reads them: a too-large body gets a
413 page, nothing is written to disk, and only the bundle import takes more."""

from __future__ import annotations

import io
import os
import zipfile
from wsgiref.handlers import SimpleHandler

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from tests.factory import make_person

MIB = 1024 * 1024


@pytest.fixture
def spool_dir(settings, tmp_path):
    """Where Django would spool an upload to disk; the test checks it stays empty."""
    directory = tmp_path / "spool"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    return directory


def _big_file(size: int) -> io.BytesIO:
    upload = io.BytesIO(os.urandom(size))
    upload.name = "big.bin"
    return upload


@pytest.mark.django_db
def test_a_large_anonymous_upload_to_sign_in_is_refused_without_touching_disk(spool_dir):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "x", "password": "y", "junk": _big_file(3 * MIB)}
    )
    assert response.status_code == 413
    assert "Nothing was saved" in response.content.decode()
    assert list(spool_dir.iterdir()) == []


@pytest.mark.django_db
def test_a_large_form_body_is_413_not_400(client):
    response = client.post("/accounts/login/", {"username": "x" * (3 * MIB), "password": "y"})
    assert response.status_code == 413


@pytest.mark.django_db
def test_a_claimed_length_over_the_cap_is_refused_before_reading(client):
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"username=x&password=y",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(300 * MIB),
    )
    assert response.status_code == 413


@pytest.mark.django_db
@pytest.mark.parametrize("declared", ["²", "３００", "３００００００００", "-1", "1e9"])
def test_a_length_that_is_no_ascii_number_is_a_bad_request(client, declared):
    # '²'.isdigit() is True and int('²') fails: it answered a server error; and
    # Django reads '３００００００００' as 300 MB, past the cap.
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"username=x&password=y",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=declared,
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_body_under_the_cap_is_read_as_usual(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "y" * 1000})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_a_small_file_on_a_view_that_takes_none_is_kept_in_memory_only(client, spool_dir):
    response = client.post(
        "/accounts/login/", {"username": "x", "password": "y", "junk": _big_file(MIB)}
    )
    assert response.status_code == 200
    assert list(spool_dir.iterdir()) == []


def _zip_of(size: int) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("pages/filler.md", os.urandom(size))
    buffer.seek(0)
    buffer.name = "bundle.zip"
    return buffer


@pytest.mark.django_db
def test_the_bundle_import_takes_bundles_larger_than_other_forms(spool_dir):
    trainer = make_person("trainer", "Trainer")
    client = Client()
    client.force_login(trainer)
    response = client.post("/protocols/import/", {"bundle": _zip_of(3 * MIB)})
    # Read and judged by the import itself (its own refusal), never spooled to disk.
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    assert list(spool_dir.iterdir()) == []


@pytest.mark.django_db
def test_the_bundle_import_refuses_more_than_its_own_cap(spool_dir):
    trainer = make_person("trainer", "Trainer")
    client = Client()
    client.force_login(trainer)
    response = client.post("/protocols/import/", {"bundle": _zip_of(12 * MIB)})
    assert response.status_code == 413
    assert list(spool_dir.iterdir()) == []


def test_the_settings_cap_forms_and_uploads():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2 * MIB
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 1
    assert settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.MemoryFileUploadHandler"
    ]


ROOT = settings.BASE_DIR


def test_gunicorn_caps_the_request_line_and_headers():
    import runpy

    from gunicorn.config import Config

    cfg = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    assert cfg.limit_request_line == 4094
    assert cfg.limit_request_fields == 50
    assert cfg.limit_request_field_size == 8190


def test_caddy_caps_bodies_as_the_app_does():
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert "request_body @not_bundle_import {\n\t\tmax_size 2MiB" in caddyfile
    assert "request_body /protocols/import/ {\n\t\tmax_size 11MiB" in caddyfile
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * MIB
    from protocols.views import import_bundle

    assert import_bundle.max_body_bytes == 11 * MIB


def test_caddyfile_is_valid(tmp_path):
    import shutil
    import subprocess

    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (apt-get install caddy)")
    result = subprocess.run(
        [caddy, "validate", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"],
        env={"DOMAIN": "line.example.org", "HOME": str(tmp_path), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_compose_caps_every_tmpfs():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = compose["x-app"]["tmpfs"]
    assert mounts and all(":size=" in mount for mount in mounts), mounts


# The 413 goes out through a real WSGI server handler (the development server's,
# wsgiref, which enforces PEP 3333): no hop-by-hop header, so it is a 413, not a
# server error.


@pytest.mark.django_db(transaction=True)  # a real server closes its connections after each request
def test_a_too_large_body_is_answered_413_by_a_wsgi_server():
    body = b"username=x&password=y"
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/accounts/login/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(300 * 1024 * 1024),
        "wsgi.url_scheme": "http",
    }
    sent, errors = io.BytesIO(), io.StringIO()
    SimpleHandler(io.BytesIO(body), sent, errors, environ, multithread=False).run(WSGIHandler())
    assert sent.getvalue().startswith(b"HTTP/1.0 413"), errors.getvalue()[-500:]


@pytest.mark.django_db
def test_gunicorn_is_told_to_close_the_connection_instead_of_reading_the_rest(client):
    """gunicorn takes Connection: close from the app (and would otherwise read the
    unread body to reuse the connection)."""
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"username=x&password=y",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        SERVER_SOFTWARE="gunicorn/27.0.1",
    )
    assert response.status_code == 413
    assert response["Connection"] == "close"
