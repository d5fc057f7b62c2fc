from crisisline.models import Skill


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
    assert set(responder.skills.all()) == {spanish, aid}


def test_bad_phone_is_refused_and_nothing_changes(as_responder, responder):
    response = as_responder.post(
        "/profile/",
        {"display_name": "X", "phone": "call me maybe", "min_rest_hours": "8"},
    )
    assert "Use only digits" in response.content.decode()
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


def test_anonymous_and_wrong_method(client, as_responder):
    assert client.get("/profile/").status_code == 302
    assert as_responder.delete("/profile/").status_code == 405


def test_a_phone_number_in_other_digits_is_refused(as_responder, responder):
    for phone in ("٥٥٥ ٠١٠ ٢٢٢٢", "²²²", "５５５-０１０"):
        response = as_responder.post(
            "/profile/", {"display_name": "X", "phone": phone, "min_rest_hours": "8"}
        )
        assert "Use only digits" in response.content.decode(), phone
        responder.refresh_from_db()
        assert responder.display_name == "Sam Responder"
