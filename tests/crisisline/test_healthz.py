from unittest import mock

from django.db import OperationalError


def test_healthy_is_200_with_no_details(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b""


def test_database_down_is_503(client, db):
    with mock.patch("crisisline.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"down" not in response.content


def test_exempt_from_the_https_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_wrong_method(client, db):
    assert client.post("/healthz").status_code == 405


def test_head_is_answered_for_monitors(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.head("/").status_code == 200
