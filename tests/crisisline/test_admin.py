from django.conf import settings

from tests.conftest import client_for
from tests.factory import make_person


def test_admin_is_not_at_the_default_path(client, db):
    assert client.get("/admin/").status_code == 404


def test_superuser_reaches_the_admin(db):
    boss = make_person("boss", is_superuser=True, is_staff=True)
    assert client_for(boss).get(f"/{settings.ADMIN_URL}").status_code == 200


def test_staff_without_superuser_is_turned_away(db):
    staff = make_person("staffer", "Coordinator", is_staff=True)
    response = client_for(staff).get(f"/{settings.ADMIN_URL}")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_coordinator_is_turned_away(as_coordinator):
    assert as_coordinator.get(f"/{settings.ADMIN_URL}").status_code == 302
