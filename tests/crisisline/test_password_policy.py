"""The password policy: at least 12 characters; not the line's name, its own
words or the person's username dressed up; not a common password. It applies
wherever a password is set, and the forms say why a long passphrase matters."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from crisisline.models import Invitation, Line, User
from crisisline.roles import RESPONDER
from crisisline.tokens import password_links
from tests.factory import PASSWORD

REFUSED = [
    "crisisline",
    "CrisisLine2024!",
    "crisis-line-crisis-line",
    "Valley Support Line 1",  # the line's name, as set below
    "valleysupportline",
    "hotline hotline hotline",
    "respresprespresp",  # the username, repeated
    "Resp-Resp-Resp-2025",
    "elevenchars",  # too short
    "password1234",  # Django's list of common passwords
    "123456789012",
]
ACCEPTED = [
    PASSWORD,
    "the river is cold at dawn",
    "crisisline is where I answer phones on tuesdays",
]


@pytest.fixture
def valley_line(db):
    line = Line.current()
    line.name = "Valley Support Line"
    line.save()
    return line


@pytest.mark.parametrize("password", REFUSED)
def test_refused(valley_line, responder, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=responder)


@pytest.mark.parametrize("password", ACCEPTED)
def test_accepted(valley_line, responder, password):
    validate_password(password, user=responder)


def test_the_refusal_says_why(valley_line, responder):
    with pytest.raises(ValidationError) as refusal:
        validate_password("ValleySupportLine!!", user=responder)
    assert "the line's name" in " ".join(refusal.value.messages)


def test_changing_to_a_weak_password_is_refused_and_says_why_it_matters(as_responder, responder):
    page = as_responder.get("/accounts/password/").content.decode()
    assert "guards your sealed call notes" in page
    response = as_responder.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "crisisline!!",
            "new_password2": "crisisline!!",
        },
    )
    assert response.status_code == 200
    assert "the line&#x27;s name" in response.content.decode()
    assert Client().login(username="resp", password=PASSWORD)


def test_a_reset_to_a_weak_password_is_refused(responder):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(responder.pk))
    client = Client()
    page = client.get(f"/accounts/reset/{uid}/{password_links.make_token(responder)}/", follow=True)
    assert "guards your sealed call notes" in page.content.decode()
    weak = "resprespresp"
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert not Client().login(username="resp", password=weak)


def test_joining_with_a_weak_password_is_refused(coordinator):
    from django.contrib.auth.models import Group

    _invitation, token = Invitation.issue(
        created_by=coordinator, roles=list(Group.objects.filter(name=RESPONDER))
    )
    page = Client().get(f"/invite/{token}/").content.decode()
    assert "guards your sealed call notes" in page
    response = Client().post(
        f"/invite/{token}/",
        {
            "username": "newbie",
            "password1": "crisisline2025",
            "password2": "crisisline2025",
            "display_name": "New Person",
            "min_rest_hours": "8",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize(
    "weak",
    ["Marisol Quintanilla 2025!", "marisol.quintanilla@example.org"],
    ids=["display-name", "email"],
)
def test_joining_with_ones_own_name_or_email_as_password_is_refused(coordinator, weak):
    """The policy sees the name and email typed on the same form, not only the username."""
    from django.contrib.auth.models import Group

    _invitation, token = Invitation.issue(
        created_by=coordinator, roles=list(Group.objects.filter(name=RESPONDER))
    )
    response = Client().post(
        f"/invite/{token}/",
        {
            "username": "newbie",
            "password1": weak,
            "password2": weak,
            "display_name": "Marisol Quintanilla",
            "email": "marisol.quintanilla@example.org",
            "min_rest_hours": "8",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username="newbie").exists()


def test_createsuperuser_without_input_applies_the_policy(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "crisisline123")
    with pytest.raises(CommandError, match="line's name"):
        call_command(
            "createsuperuser",
            interactive=False,
            username="root",
            display_name="Root",
            verbosity=0,
        )
    assert not User.objects.filter(username="root").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase of my own")
    call_command(
        "createsuperuser",
        interactive=False,
        username="root",
        display_name="Root",
        verbosity=0,
    )
    assert User.objects.get(username="root").check_password("a long passphrase of my own")
