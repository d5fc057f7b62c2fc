from datetime import timedelta
from unittest import mock

import time_machine
from django.db import OperationalError
from django.utils import timezone

from calls import keyring, keyring_guard
from crisisline.models import Heartbeat


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


def test_head_is_answered_for_monitors(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.head("/").status_code == 200


# --- The scheduled purge's heartbeat ----------------------------------------------------


def _keyring_in_use():
    """What the first note does: a keyring with its identity, recorded here."""
    keyring_guard.ready_for_share()


def test_a_new_line_with_no_keyring_yet_is_healthy_before_any_purge(client, db):
    assert client.get("/healthz").status_code == 200


def test_healthy_while_the_scheduled_purge_is_on_time(client, db, settings):
    _keyring_in_use()
    Heartbeat.beat("purge_expired")
    with time_machine.travel(
        timezone.now() + timedelta(seconds=2 * settings.PURGE_EVERY_SECONDS - 5)
    ):
        response = client.get("/healthz")
    assert response.status_code == 200


def test_a_purge_older_than_twice_its_interval_is_503_with_the_reason(client, db, settings):
    _keyring_in_use()
    Heartbeat.beat("purge_expired")
    late = timedelta(seconds=2 * settings.PURGE_EVERY_SECONDS + 5)
    with time_machine.travel(timezone.now() + late):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.content.decode()
    assert "scheduled purge is late" in body
    assert f"every {settings.PURGE_EVERY_SECONDS} s" in body


def test_a_keyring_in_use_that_was_never_purged_is_503(client, db, settings):
    _keyring_in_use()
    late = timedelta(seconds=2 * settings.PURGE_EVERY_SECONDS + 5)
    with time_machine.travel(timezone.now() + late):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "last: never" in response.content.decode()


def test_the_opportunistic_purge_does_not_count_as_the_scheduler(client, db, settings):
    _keyring_in_use()
    Heartbeat.beat("purge_expired")
    later = timezone.now() + timedelta(seconds=2 * settings.PURGE_EVERY_SECONDS + 5)
    with time_machine.travel(later):
        Heartbeat.beat("purge_opportunistic")
        assert client.get("/healthz").status_code == 503


def test_an_unreadable_keyring_is_503_with_a_reason_that_names_no_path(client, db, settings):
    _keyring_in_use()
    Heartbeat.beat("purge_expired")
    with mock.patch.object(keyring, "probe", side_effect=PermissionError(13, "Permission denied")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.content.decode()
    assert "keyring cannot be used" in body
    assert str(settings.KEYRING_DIR) not in body


def test_the_database_down_says_so(client, db):
    with mock.patch("crisisline.views.connection.cursor", side_effect=OperationalError("secret")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "The database cannot be reached.\n"


def test_stays_cheap_however_many_notes_and_beats(client, db, django_assert_max_num_queries):
    """SELECT 1, the keyring's record, the purge's heartbeat: single-row lookups only."""
    _keyring_in_use()
    Heartbeat.beat("purge_expired")
    for name in ("prune", "send_shift_reminders", "alert_line_gaps"):
        Heartbeat.beat(name)
    with django_assert_max_num_queries(3) as captured:
        assert client.get("/healthz").status_code == 200
    for query in captured.captured_queries:
        sql = query["sql"].upper()
        assert "COUNT(" not in sql
        assert sql.startswith("SELECT 1") or "LIMIT 1" in sql or "LIMIT" in sql, sql
