from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from crisisline.models import User, person_deactivated
from tests.factory import PASSWORD


def test_coordinator_sees_everyone(as_coordinator, responder, deactivated):
    body = as_coordinator.get("/people/").content.decode()
    assert "Sam Responder" in body
    assert "Gone Person" in body and "deactivated" in body


def stored_sessions_of(person) -> list[Session]:
    """Every django_session row that signs `person` in, expired or not."""
    return [
        session
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(person.pk)
    ]


def test_deactivation_ends_every_session_at_once(as_coordinator, coordinator, responder):
    phone, laptop = Client(), Client()
    assert phone.login(username="resp", password=PASSWORD)
    assert laptop.login(username="resp", password=PASSWORD)
    assert len(stored_sessions_of(responder)) == 2
    received = []
    person_deactivated.connect(lambda sender, person, **kw: received.append(person), weak=False)

    response = as_coordinator.post(f"/people/{responder.pk}/deactivate/")

    assert response.status_code == 302
    responder.refresh_from_db()
    assert not responder.is_active
    assert received == [responder]
    # The rows themselves are gone (an inactive person's session would be refused
    # anyway, so only this proves the sessions ended), and only theirs.
    assert stored_sessions_of(responder) == []
    assert len(stored_sessions_of(coordinator)) == 1
    for client in (phone, laptop):
        assert client.get("/home/").status_code == 302
    assert not Client().login(username="resp", password=PASSWORD)


def test_cannot_deactivate_yourself(as_coordinator, coordinator):
    response = as_coordinator.post(f"/people/{coordinator.pk}/deactivate/", follow=True)
    assert "cannot deactivate yourself" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_deactivate_asks_first_and_needs_the_role(
    as_coordinator, as_responder, responder, coordinator
):
    page = as_coordinator.get(f"/people/{responder.pk}/deactivate/")
    assert "Deactivate Sam Responder?" in page.content.decode()
    responder.refresh_from_db()
    assert responder.is_active  # asking changes nothing
    assert as_coordinator.put(f"/people/{responder.pk}/deactivate/").status_code == 405
    assert as_responder.post(f"/people/{coordinator.pk}/deactivate/").status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_unknown_person_is_404(as_coordinator):
    assert as_coordinator.post("/people/999999/deactivate/").status_code == 404


def test_reactivate(as_coordinator, deactivated):
    as_coordinator.post(f"/people/{deactivated.pk}/reactivate/")
    assert Client().login(username="gone", password=PASSWORD)


def test_change_roles(as_coordinator, responder):
    trainer = Group.objects.get(name="Trainer")
    as_coordinator.post(f"/people/{responder.pk}/roles/", {"roles": [trainer.pk]})
    assert responder.role_names() == ["Trainer"]


def test_roles_form_refuses_no_role(as_coordinator, responder):
    response = as_coordinator.post(f"/people/{responder.pk}/roles/", {})
    assert "Choose at least one role." in response.content.decode()
    assert responder.role_names() == ["Responder"]


def test_reset_link_works_once(as_coordinator, responder):
    response = as_coordinator.post(f"/people/{responder.pk}/reset-link/")
    link = response.context["link"].removeprefix("http://testserver")
    assert not mail.outbox

    person = Client()
    form_page = person.get(link, follow=True)
    assert form_page.context["validlink"]
    new = "another long passphrase"
    person.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert Client().login(username="resp", password=new)

    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
    assert "does not work" in again.content.decode()


def test_reset_link_is_emailed_when_email_is_configured(as_coordinator, responder, settings):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    responder.email = "sam@example.org"
    responder.save()
    response = as_coordinator.post(f"/people/{responder.pk}/reset-link/")
    assert len(mail.outbox) == 1
    assert response.context["link"] in mail.outbox[0].body


def test_reset_link_for_deactivated_person_is_refused(as_coordinator, deactivated):
    response = as_coordinator.post(f"/people/{deactivated.pk}/reset-link/", follow=True)
    assert "Reactivate" in response.content.decode()


def test_responder_cannot_issue_reset_links(as_responder, coordinator):
    assert as_responder.post(f"/people/{coordinator.pk}/reset-link/").status_code == 403


def test_roles_page_wrong_role(as_trainer, responder):
    assert as_trainer.get(f"/people/{responder.pk}/roles/").status_code == 403


def test_people_query_count_does_not_grow(as_coordinator, django_assert_max_num_queries):
    for number in range(30):
        User.objects.create_user(username=f"p{number}", display_name=f"P{number}")
    with django_assert_max_num_queries(12):
        as_coordinator.get("/people/")
