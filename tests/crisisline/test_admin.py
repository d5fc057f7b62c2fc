import pytest
from django.conf import settings

from tests.conftest import client_for
from tests.factory import PASSWORD, make_person


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


@pytest.mark.parametrize("path", ["", "login/", "crisisline/user/", "no/such/page/"])
def test_the_admin_is_missing_while_it_is_not_enabled(db, settings, client, path):
    settings.ADMIN_ENABLED = False
    boss = make_person("boss", is_superuser=True, is_staff=True)
    assert client_for(boss).get(f"/{settings.ADMIN_URL}{path}").status_code == 404
    assert client.get(f"/{settings.ADMIN_URL}{path}").status_code == 404


def test_the_admin_sign_in_is_the_lines_own(client, db):
    response = client.get(f"/{settings.ADMIN_URL}login/?next=/{settings.ADMIN_URL}")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/{settings.ADMIN_URL}"


def test_the_admin_sign_in_form_no_longer_takes_passwords(client, db):
    make_person("boss", is_superuser=True, is_staff=True)
    login = f"/{settings.ADMIN_URL}login/"
    for _ in range(30):
        client.post(login, {"username": "boss", "password": "wrong"})
    response = client.post(login, {"username": "boss", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_signing_in_for_the_admin_is_throttled(client, db):
    make_person("boss", is_superuser=True, is_staff=True)
    login = f"/accounts/login/?next=/{settings.ADMIN_URL}"
    for _ in range(5):
        client.post(login, {"username": "boss", "password": "wrong"})
    response = client.post(login, {"username": "boss", "password": PASSWORD})
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_in_without_the_right_is_refused_not_sent_round(as_coordinator):
    response = as_coordinator.get(f"/{settings.ADMIN_URL}login/?next=/{settings.ADMIN_URL}")
    assert response.status_code == 403


def test_made_a_coordinator_in_the_admin_without_two_steps_signs_out_to_set_it_up(responder):
    from django.contrib.auth.models import Group

    from crisisline.roles import COORDINATOR

    signed_in = client_for(responder)
    assert signed_in.get("/oncall/").status_code == 200  # the control
    admin = client_for(make_person("boss", is_superuser=True, is_staff=True))
    url = f"/{settings.ADMIN_URL}crisisline/user/{responder.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None and value is not False:
            data[name] = "on" if value is True else str(value)
    data["groups"] = [*data.get("groups", []), str(Group.objects.get(name=COORDINATOR).pk)]
    assert admin.post(url, data).status_code == 302
    assert "/accounts/login/" in signed_in.get("/oncall/")["Location"]
