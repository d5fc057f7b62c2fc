"""Joining lands where signing in does: responders on who is on call now."""

from django.test import Client

from crisisline.models import User
from tests.crisisline.test_invitations import NEW_PERSON, invite
from tests.factory import PASSWORD, make_person


def test_a_new_responder_lands_on_call_as_after_signing_in(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    response = client.post(path, NEW_PERSON)
    assert response.status_code == 302
    assert response["Location"] == "/oncall/"
    assert "Welcome! You are signed in." in client.get("/oncall/").content.decode()

    make_person("old-hand", "Responder")
    signed_in = Client().post("/accounts/login/", {"username": "old-hand", "password": PASSWORD})
    assert signed_in["Location"] == response["Location"]


def test_a_new_trainer_lands_on_the_dashboard_as_after_signing_in(client, as_coordinator):
    _, path = invite(as_coordinator, "Trainer")
    response = client.post(path, NEW_PERSON)
    assert response["Location"] == "/home/"
    assert User.objects.get(username="newbie").role_names() == ["Trainer"]


def test_the_language_for_emails_is_asked_when_joining(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    assert 'name="language"' in client.get(path).content.decode()
    client.post(path, {**NEW_PERSON, "language": "es"})
    assert User.objects.get(username="newbie").language == "es"
