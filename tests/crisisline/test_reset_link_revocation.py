"""A password link dies with the access it was issued for.

Deactivating someone revokes their links for good: reactivating them later does
not bring an old link back. Making someone an administrator kills links issued
before (a coordinator saw that link).
"""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from tests.conftest import client_for
from tests.factory import PASSWORD, make_person


def _issue_link(as_coordinator, person) -> str:
    response = as_coordinator.post(f"/people/{person.pk}/reset-link/")
    assert response.status_code == 200
    return response.context["link"].removeprefix("http://testserver")


def _link_works(link: str) -> bool:
    return bool(Client().get(link, follow=True).context["validlink"])


def test_link_from_before_deactivation_is_dead_after_reactivation(as_coordinator, responder):
    link = _issue_link(as_coordinator, responder)
    assert _link_works(link)  # the control: the link works until then

    as_coordinator.post(f"/people/{responder.pk}/deactivate/")
    assert not _link_works(link)
    as_coordinator.post(f"/people/{responder.pk}/reactivate/")

    holder = Client()  # whoever kept the link tries it through the whole flow
    page = holder.get(link, follow=True)
    assert not page.context["validlink"]
    assert "does not work" in page.content.decode()
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    new = "a fresh passphrase for the line"
    holder.post(form_url, {"new_password1": new, "new_password2": new})
    assert not Client().login(username="resp", password=new)
    assert Client().login(username="resp", password=PASSWORD)
    # A link issued after reactivation works.
    assert _link_works(_issue_link(as_coordinator, responder))


def test_link_dies_when_the_person_becomes_an_administrator(as_coordinator, responder):
    link = _issue_link(as_coordinator, responder)
    responder.is_staff = True
    responder.save()
    assert not _link_works(link)


def test_link_survives_unrelated_profile_edits(as_coordinator, responder):
    link = _issue_link(as_coordinator, responder)
    responder.phone = "+1 555 010 9999"
    responder.pronouns = "she/her"
    responder.save()
    assert _link_works(link)


def _toggle_active_in_the_admin(admin: Client, person) -> None:
    url = f"/{settings.ADMIN_URL}crisisline/user/{person.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None and value is not False:
            data[name] = "on" if value is True else str(value)
    if person.is_active:
        data.pop("is_active")
    else:
        data["is_active"] = "on"
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_deactivating_in_the_admin_revokes_as_the_people_page_does(as_coordinator, responder):
    from tests.crisisline.test_two_factor import turn_on

    admin = client_for(make_person("boss", is_superuser=True, is_staff=True))
    turn_on(responder)
    link = _issue_link(as_coordinator, responder)
    signed_in = client_for(responder)

    _toggle_active_in_the_admin(admin, responder)
    responder.refresh_from_db()
    assert not responder.is_active
    assert not responder.has_two_factor
    assert "/accounts/login/" in signed_in.get("/oncall/")["Location"]

    _toggle_active_in_the_admin(admin, responder)
    responder.refresh_from_db()
    assert responder.is_active
    assert not _link_works(link)
