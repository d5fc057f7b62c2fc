"""The one-tap way from /oncall/ (the phone home) to writing a call note."""

from __future__ import annotations

from django.utils import translation

from crisisline.roles import RESPONDER, TRAINER
from tests.calls.conftest import client_for
from tests.factory import make_person

LINK = '<a class="button wide" href="/notes/new/">Write a call note</a>'


def test_a_responder_sees_the_link_and_it_leads_to_the_form(as_responder):
    page = as_responder.get("/oncall/")
    assert page.status_code == 200
    assert LINK in page.content.decode()
    assert as_responder.get("/notes/new/").status_code == 200


def test_a_trainer_without_the_responder_role_does_not(as_trainer):
    page = as_trainer.get("/oncall/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/notes/new/" not in html and "Write a call note" not in html


def test_a_trainer_who_also_responds_does(db):
    both = make_person("both", TRAINER, RESPONDER)
    assert LINK in client_for(both).get("/oncall/").content.decode()


def test_the_link_is_in_spanish_too(as_responder):
    with translation.override("es"):
        page = as_responder.get("/oncall/", headers={"accept-language": "es"})
    html = page.content.decode()
    assert 'href="/notes/new/"' in html and "Write a call note" not in html
