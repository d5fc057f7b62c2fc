"""Coordinators name positions and skills in Spanish too; Spanish readers see those names."""

from crisisline.models import Skill
from shifts.models import Position
from tests.factory import grant
from tests.shifts.conftest import in_hours, make_shift, put

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_coordinator_gives_a_position_its_spanish_name(as_coordinator, responder_position):
    form = as_coordinator.get(f"/roster/positions/{responder_position.pk}/").content.decode()
    assert 'name="name_es"' in form
    response = as_coordinator.post(
        f"/roster/positions/{responder_position.pk}/",
        {
            "name": "Responder",
            "name_es": "Respuesta",
            "min_people": 1,
            "max_people": 2,
            "order": 1,
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Position.objects.get(pk=responder_position.pk).name_es == "Respuesta"
    listing = as_coordinator.get("/roster/positions/").content.decode()
    assert "Responder" in listing and "Respuesta" in listing


def test_on_call_names_positions_in_the_readers_language(
    as_responder, responder, responder_position
):
    responder_position.name_es = "Respuesta"
    responder_position.save()
    put(responder, make_shift(in_hours(-1), positions=[responder_position]), responder_position)
    spanish = as_responder.get("/oncall/", **SPANISH).content.decode()
    english = as_responder.get("/oncall/").content.decode()
    assert "Respuesta" in spanish and ">Responder<" not in spanish
    assert "Respuesta" not in english and "Responder" in english


def test_open_places_and_your_shifts_use_spanish_names(
    as_responder, responder, responder_position, holder_position
):
    holder_position.name_es = "Quien lleva la línea"
    holder_position.save()
    holder_position.required_skill.name_es = "Formación para llevar la línea"
    holder_position.required_skill.save()
    responder_position.name_es = "Respuesta"
    responder_position.save()
    grant(responder, holder_position.required_skill)
    make_shift(in_hours(30), positions=[holder_position])
    put(responder, make_shift(in_hours(60), positions=[responder_position]), responder_position)
    places = as_responder.get("/places/", **SPANISH).content.decode()
    assert "Quien lleva la línea" in places
    mine = as_responder.get("/me/shifts/", **SPANISH).content.decode()
    assert "Respuesta" in mine


def test_a_position_without_a_spanish_name_keeps_its_own(
    as_responder, responder, responder_position
):
    put(responder, make_shift(in_hours(-1), positions=[responder_position]), responder_position)
    assert "Responder" in as_responder.get("/oncall/", **SPANISH).content.decode()


def test_languages_on_the_profile_read_in_spanish(as_responder):
    Skill.objects.create(name="Spanish", name_es="Español", kind=Skill.Kind.LANGUAGE)
    Skill.objects.create(name="Tagalog", name_es="Tagalo", kind=Skill.Kind.LANGUAGE)
    spanish = as_responder.get("/profile/", **SPANISH).content.decode()
    assert "Tagalo" in spanish and "Tagalog" not in spanish
    assert "Tagalog" in as_responder.get("/profile/").content.decode()


def test_calendar_feed_follows_the_persons_language(as_responder, responder, responder_position):
    from django.test import Client

    from tests.factory import make_person
    from tests.shifts.test_feed import feed_link, read_ics

    responder_position.name_es = "Respuesta"
    responder_position.save()
    shift = make_shift(in_hours(30), positions=[responder_position])
    put(responder, shift, responder_position)
    put(make_person("mate", display_name="Mo Mate"), shift, responder_position)
    as_responder.post("/me/shift-settings/", {"feed_shows_teammates": "on"})
    link = feed_link(as_responder)
    [event] = read_ics(Client().get(link).content.decode())
    assert event["SUMMARY"].endswith(": Responder")
    responder.language = "es"
    responder.save()
    [event] = read_ics(Client().get(link).content.decode())
    assert event["SUMMARY"].endswith(": Respuesta")
    assert event["DESCRIPTION"] == "Con: Mo Mate (Respuesta)"


def test_role_choices_read_in_spanish(as_coordinator):
    page = as_coordinator.get("/people/", **SPANISH).content.decode()
    assert "Coordinación" in page and "Atención" in page
