import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from crisisline.models import Invitation, Skill, SkillGrant, User
from crisisline.skills import held_skills
from tests.conftest import client_for
from tests.factory import make_person


def invite(client, *roles, label="Sam"):
    ids = [Group.objects.get(name=role).pk for role in roles]
    response = client.post("/people/", {"label": label, "roles": ids})
    match = re.search(r'value="(http://testserver/invite/[^"]+/)"', response.content.decode())
    return response, match.group(1).removeprefix("http://testserver") if match else None


NEW_PERSON = {
    "username": "newbie",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
    "display_name": "New Person",
    "pronouns": "she/her",
    "phone": "+1 555 123 4567",
    "email": "",
    "min_rest_hours": "8",
    "max_shifts_per_month": "",
}


def test_coordinator_creates_a_link_that_is_shown_once_and_never_stored(as_coordinator):
    response, path = invite(as_coordinator, "Responder", "Trainer")
    assert response.status_code == 200
    assert path
    token = path.split("/")[2]
    assert Invitation.objects.pending().count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_hash FROM crisisline_invitation")
        assert token not in cursor.fetchone()[0]
    # The link is not on the page any more once it is left.
    assert token not in as_coordinator.get("/people/").content.decode()


def test_invitation_needs_a_role(as_coordinator):
    response = as_coordinator.post("/people/", {"label": "x"})
    assert "Choose at least one role." in response.content.decode()
    assert not Invitation.objects.exists()


def test_responder_may_not_invite(as_responder):
    assert as_responder.get("/people/").status_code == 403
    assert as_responder.post("/people/", {"roles": [1]}).status_code == 403
    assert not Invitation.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get("/people/").status_code == 302


def test_invitee_joins_with_the_roles_the_link_carries(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder", "Trainer")
    assert client.get(path).status_code == 200
    response = client.post(path, NEW_PERSON)
    assert response.status_code == 302
    person = User.objects.get(username="newbie")
    assert person.role_names() == ["Responder", "Trainer"]
    assert person.display_name == "New Person"
    assert person.phone == "+15551234567"  # stored in E.164
    assert client.get("/home/").status_code == 200  # signed in


def test_invitee_cannot_grant_themselves_a_skill(client, as_coordinator):
    holder = Skill.objects.create(name="Line holder training")
    spanish = Skill.objects.create(name="Spanish", kind=Skill.Kind.LANGUAGE)
    _, path = invite(as_coordinator, "Responder")
    page = client.get(path).content.decode()
    assert "Line holder training" not in page and "Spanish" in page
    client.post(path, {**NEW_PERSON, "skills": [holder.pk], "languages": [spanish.pk]})
    person = User.objects.get(username="newbie")
    assert list(held_skills(person)) == [spanish]
    assert not SkillGrant.objects.filter(person=person).exists()


def test_used_link_is_refused_and_changes_nothing(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    client.post(path, NEW_PERSON)
    other = client.__class__()
    response = other.post(path, {**NEW_PERSON, "username": "second"})
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_expired_link_is_refused(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(path, NEW_PERSON)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_tampered_link_is_not_found(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    response = client.get(path[:-3] + "xx/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_taken_username_is_a_form_error_and_the_link_stays_usable(
    client, as_coordinator, responder
):
    _, path = invite(as_coordinator, "Responder")
    response = client.post(path, {**NEW_PERSON, "username": "resp"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Invitation.objects.pending().count() == 1
    assert client.post(path, NEW_PERSON).status_code == 302


def test_weak_password_is_refused(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    response = client.post(path, {**NEW_PERSON, "password1": "12345", "password2": "12345"})
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()


def test_revoked_link_stops_working(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    invitation = Invitation.objects.get()
    # Opening the revoke link asks first and changes nothing.
    asked = as_coordinator.get(f"/invitations/{invitation.pk}/revoke/")
    assert asked.status_code == 200 and "Revoke this invitation?" in asked.content.decode()
    assert client.get(path).status_code == 200
    as_coordinator.post(f"/invitations/{invitation.pk}/revoke/")
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_there_is_no_public_sign_up(client):
    for path in ("/accounts/signup/", "/register/", "/signup/"):
        assert client.get(path).status_code == 404


def test_invitation_expires_after_72_hours(coordinator):
    invitation, _token = Invitation.issue(created_by=coordinator, roles=[])
    hours = (invitation.expires_at - invitation.created_at).total_seconds() / 3600
    assert round(hours) == 72


def test_new_person_can_sign_in_later(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    client.post(path, NEW_PERSON)
    fresh = client_for(User.objects.get(username="newbie"))
    assert fresh.get("/home/").status_code == 200


def test_wrong_method_on_the_invitation_link(client, as_coordinator):
    _, path = invite(as_coordinator, "Responder")
    response = client.put(path, urlencode(NEW_PERSON), "application/x-www-form-urlencoded")
    assert response.status_code == 405
    assert not User.objects.filter(username="newbie").exists()
    assert Invitation.objects.pending().count() == 1


def test_deactivating_a_coordinator_ends_the_invitations_they_made(client, as_coordinator):
    _, path = invite(as_coordinator, "Coordinator")
    issuer = User.objects.get(username="coord")
    other = make_person("other-coord", "Coordinator")
    client_for(other).post(f"/people/{issuer.pk}/deactivate/")

    page = client.get(path)
    assert page.status_code == 410
    assert "This invitation is no longer valid" in page.content.decode()
    response = client.post(path, NEW_PERSON)
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    assert "Sam" not in client_for(other).get("/people/").content.decode()

    # Coming back does not bring the old links back to life.
    issuer.reactivate()
    assert client.post(path, NEW_PERSON).status_code == 410
    assert not User.objects.filter(username="newbie").exists()


def test_invitation_of_a_coordinator_made_inactive_elsewhere_is_refused(client, as_coordinator):
    """Even if someone is switched off without deactivate() (a superuser in the admin)."""
    _, path = invite(as_coordinator, "Responder")
    User.objects.filter(username="coord").update(is_active=False)
    response = client.post(path, NEW_PERSON)
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
