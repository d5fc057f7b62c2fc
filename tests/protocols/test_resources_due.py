"""The dashboard lists resources due for re-verification to those who keep them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.protocols.resource_helpers import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue():
    return make_resource("old-clinic", name="Old Clinic", last_verified=date(2000, 1, 1))


def test_trainers_and_coordinators_see_what_to_verify(as_trainer, as_coordinator, overdue):
    make_resource("fresh", name="Fresh Fridge", last_verified=date(2999, 1, 1))
    for client in (as_trainer, as_coordinator):
        html = client.get("/home/").content.decode()
        assert "Resources to verify again" in html
        assert "Old Clinic" in html and "Fresh Fridge" not in html
        assert overdue.get_absolute_url() in html


def test_responders_are_not_asked_to_verify(as_responder, overdue):
    html = as_responder.get("/home/").content.decode()
    assert "Old Clinic" not in html
    assert "/protocols/resources/" in html  # but they can reach the directory


def test_in_spanish(as_trainer, overdue):
    html = as_trainer.get("/home/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Recursos por verificar de nuevo" in html
