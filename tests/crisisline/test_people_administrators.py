"""Coordinators manage the line's people; administrators only by administrators.

A coordinator who could issue a password link for a superuser could sign into
the admin as them, so every people-managing view refuses administrators (404)
unless the one asking is an administrator of at least the same rank.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from crisisline.roles import COORDINATOR, RESPONDER
from tests.conftest import client_for
from tests.factory import PASSWORD, make_person


@pytest.fixture
def superuser(db):
    person = make_person("root", display_name="Root Admin", is_superuser=True, is_staff=True)
    return person


@pytest.fixture
def staff(db):
    return make_person("staffer", RESPONDER, display_name="Staff Member", is_staff=True)


@pytest.fixture(params=["superuser", "staff"])
def administrator(request):
    return request.getfixturevalue(request.param)


def test_coordinator_gets_no_reset_link_for_an_administrator(as_coordinator, administrator):
    response = as_coordinator.post(f"/people/{administrator.pk}/reset-link/")
    assert response.status_code == 404
    assert "link" not in (response.context or {})


def test_coordinator_cannot_change_an_administrators_roles(as_coordinator, administrator):
    before = administrator.role_names()
    coordinator_role = Group.objects.get(name=COORDINATOR)
    assert as_coordinator.get(f"/people/{administrator.pk}/roles/").status_code == 404
    response = as_coordinator.post(
        f"/people/{administrator.pk}/roles/", {"roles": [coordinator_role.pk]}
    )
    assert response.status_code == 404
    assert administrator.role_names() == before


def test_coordinator_cannot_deactivate_an_administrator(as_coordinator, administrator):
    assert as_coordinator.post(f"/people/{administrator.pk}/deactivate/").status_code == 404
    administrator.refresh_from_db()
    assert administrator.is_active
    assert Client().login(username=administrator.username, password=PASSWORD)


def test_coordinator_cannot_reactivate_an_administrator(as_coordinator, administrator):
    administrator.is_active = False
    administrator.save()
    assert as_coordinator.post(f"/people/{administrator.pk}/reactivate/").status_code == 404
    administrator.refresh_from_db()
    assert not administrator.is_active


def test_coordinator_cannot_reset_an_administrators_two_step_sign_in(as_coordinator, administrator):
    from tests.crisisline.test_two_factor import turn_on

    turn_on(administrator)
    response = as_coordinator.post(f"/people/{administrator.pk}/two-step/", follow=True)
    assert "Only an administrator can reset" in response.content.decode()
    assert administrator.has_two_factor


def test_people_page_lists_administrators_without_actions(as_coordinator, administrator):
    body = as_coordinator.get("/people/").content.decode()
    assert administrator.display_name in body
    for action in ("reset-link", "roles", "deactivate", "two-step"):
        assert f"/people/{administrator.pk}/{action}/" not in body
    assert "managed by an administrator" in body


def test_people_page_still_offers_actions_on_the_lines_people(as_coordinator, responder):
    body = as_coordinator.get("/people/").content.decode()
    for action in ("reset-link", "roles", "deactivate"):
        assert f"/people/{responder.pk}/{action}/" in body


def test_superuser_coordinator_manages_administrators(superuser, staff):
    superuser.groups.set(Group.objects.filter(name=COORDINATOR))
    as_root = client_for(superuser)
    response = as_root.post(f"/people/{staff.pk}/reset-link/")
    assert response.status_code == 200
    assert "/accounts/reset/" in response.context["link"]


def test_staff_coordinator_cannot_manage_a_superuser(superuser, staff):
    staff.groups.set(Group.objects.filter(name=COORDINATOR))
    as_staff = client_for(staff)
    assert as_staff.post(f"/people/{superuser.pk}/reset-link/").status_code == 404
    assert as_staff.post(f"/people/{superuser.pk}/deactivate/").status_code == 404
