from datetime import date

from crisisline.models import Skill, SkillGrant
from crisisline.skills import held_skills
from tests.factory import grant


def test_person_edits_their_profile_and_limits(as_responder, responder):
    spanish = Skill.objects.create(name="Spanish", kind=Skill.Kind.LANGUAGE)
    aid = Skill.objects.create(name="First aid")
    response = as_responder.post(
        "/profile/",
        {
            "display_name": "Sam R.",
            "pronouns": "they/them",
            "phone": "+1 (555) 010-2222",
            "email": "",
            "max_shifts_per_month": "6",
            "min_rest_hours": "12",
            "languages": [spanish.pk],
            "skills": [aid.pk],
        },
    )
    assert response.status_code == 302
    responder.refresh_from_db()
    assert responder.display_name == "Sam R."
    assert responder.max_shifts_per_month == 6
    assert responder.min_rest_hours == 12
    assert responder.phone == "+15550102222"  # stored in E.164
    assert set(responder.skills.all()) == {spanish}  # languages are self-declared
    assert list(held_skills(responder)) == [spanish]  # a skill ticked by hand is ignored
    assert not SkillGrant.objects.filter(person=responder, skill=aid).exists()


def test_profile_offers_languages_but_no_skills_to_tick(as_responder):
    Skill.objects.create(name="Spanish", kind=Skill.Kind.LANGUAGE)
    Skill.objects.create(name="Line holder training")
    page = as_responder.get("/profile/").content.decode()
    assert "Spanish" in page
    assert 'name="skills"' not in page


def test_profile_lists_granted_skills_with_dates(as_responder, responder, coordinator):
    holder = Skill.objects.create(name="Line holder training")
    grant(
        responder,
        holder,
        granted_by=coordinator,
        granted_on=date(2026, 3, 1),
        renew_by=date(2099, 3, 1),
    )
    page = as_responder.get("/profile/").content.decode()
    assert "Line holder training" in page and "1 Mar 2026" in page and "1 Mar 2099" in page


def test_phone_without_country_code_is_read_in_the_lines_region(settings, as_responder, responder):
    settings.PHONE_REGION = "MX"
    as_responder.post(
        "/profile/", {"display_name": "Sam", "phone": "55 1234 5678", "min_rest_hours": "8"}
    )
    responder.refresh_from_db()
    assert responder.phone == "+525512345678"


def test_phone_without_country_code_is_refused_when_no_region_is_set(
    settings, as_responder, responder
):
    settings.PHONE_REGION = ""
    response = as_responder.post(
        "/profile/", {"display_name": "Sam", "phone": "555 010 2222", "min_rest_hours": "8"}
    )
    assert "Start with + and the country code" in response.content.decode()
    responder.refresh_from_db()
    assert responder.display_name == "Sam Responder"


def test_bad_phone_is_refused_and_nothing_changes(as_responder, responder):
    response = as_responder.post(
        "/profile/",
        {"display_name": "X", "phone": "call me maybe", "min_rest_hours": "8"},
    )
    assert "not a phone number we can dial" in response.content.decode()
    responder.refresh_from_db()
    assert responder.display_name == "Sam Responder"


def test_absurd_limits_are_refused(as_responder, responder):
    response = as_responder.post(
        "/profile/",
        {"display_name": "Sam", "min_rest_hours": "5000", "max_shifts_per_month": "-1"},
    )
    assert response.status_code == 200
    responder.refresh_from_db()
    assert responder.min_rest_hours == 8


def test_a_phone_number_in_other_digits_is_refused(as_responder, responder):
    for phone in ("٥٥٥ ٠١٠ ٢٢٢٢", "²²²", "５５５-０１０"):
        response = as_responder.post(
            "/profile/", {"display_name": "X", "phone": phone, "min_rest_hours": "8"}
        )
        assert "Use only digits" in response.content.decode(), phone
        responder.refresh_from_db()
        assert responder.display_name == "Sam Responder"
