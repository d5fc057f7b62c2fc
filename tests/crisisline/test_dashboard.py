import time_machine

from calls import keyring_guard
from crisisline.models import Heartbeat


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/home/")


def test_shows_the_person_and_their_roles(as_coordinator):
    body = as_coordinator.get("/home/").content.decode()
    assert "Hello, Rosa Coordinator" in body
    assert "Coordinator" in body and "Responder" in body
    assert 'href="/people/"' in body


def test_responder_sees_no_coordinator_links(as_responder):
    body = as_responder.get("/home/").content.decode()
    assert 'href="/people/"' not in body
    assert 'href="/line/"' not in body


def test_deactivated_persons_old_session_is_signed_out(responder, as_responder):
    assert as_responder.get("/home/").status_code == 200
    responder.deactivate()
    response = as_responder.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_capabilities_cost_one_query_per_request(as_coordinator, django_assert_max_num_queries):
    # session, user, capabilities (once, however many checks), the line's name,
    # the page's own list of the person's roles, line-holder places at risk, and
    # (coordinators) the count of live notes whose key is missing, the scheduled
    # purge's heartbeat and (as it never ran here) when the keyring was made;
    # (trainers and coordinators) the resources due for re-verification; debrief or
    # break requests; and, as this coordinator responds too, their follow-ups, a
    # shift to check out of and unread notices
    with django_assert_max_num_queries(14):
        as_coordinator.get("/home/")


# --- The last purge, for coordinators ---------------------------------------------------


def test_coordinators_see_when_expired_notes_were_last_purged(as_coordinator, settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel("2026-03-04 05:06:00+00:00", tick=False):
        Heartbeat.beat("purge_expired")
        body = as_coordinator.get("/home/").content.decode()
    assert "Expired notes last purged 4 March 2026 05:06." in body
    assert "not being purged on schedule" not in body


def test_coordinators_are_told_when_the_scheduler_has_stopped(as_coordinator, settings):
    settings.TIME_ZONE = "UTC"
    keyring_guard.ready_for_share()
    with time_machine.travel("2026-03-04 05:06:00+00:00", tick=False):
        Heartbeat.beat("purge_expired")
    with time_machine.travel("2026-03-04 06:06:00+00:00", tick=False):
        body = as_coordinator.get("/home/").content.decode()
    assert "Expired notes are not being purged on schedule" in body
    assert "Last scheduled purge: 4 March 2026 05:06." in body


def test_in_spanish_too(as_coordinator, settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel("2026-03-04 05:06:00+00:00", tick=False):
        Heartbeat.beat("purge_expired")
        body = as_coordinator.get("/home/", headers={"accept-language": "es"}).content.decode()
    assert "Última purga de notas caducadas: 4 de marzo de 2026, 05:06." in body


def test_responders_do_not_see_the_purge(as_responder):
    Heartbeat.beat("purge_expired")
    assert "purge" not in as_responder.get("/home/").content.decode().lower()
