"""Trainers and coordinators give skills, trainings and languages their Spanish names."""

from crisisline.models import Skill

LIST = "/training/names/"


def url(skill: Skill) -> str:
    return f"/training/names/{skill.pk}/"


def test_anonymous_is_sent_to_sign_in(client, db):
    skill = Skill.objects.create(name="First aid")
    assert client.get(LIST)["Location"].startswith("/accounts/login/")
    assert client.post(url(skill), {"name_es": "x"})["Location"].startswith("/accounts/login/")


def test_responders_may_not(as_responder):
    skill = Skill.objects.create(name="First aid")
    assert as_responder.get(LIST).status_code == 403
    assert as_responder.post(url(skill), {"name_es": "Primeros auxilios"}).status_code == 403
    assert Skill.objects.get(pk=skill.pk).name_es == ""


def test_unknown_skill_is_404(as_trainer):
    assert as_trainer.get("/training/names/999999/").status_code == 404


def test_a_trainer_names_a_skill_and_spanish_readers_see_it(as_trainer, as_responder):
    skill = Skill.objects.create(name="First aid")
    assert "First aid" in as_trainer.get(LIST).content.decode()
    response = as_trainer.post(url(skill), {"name_es": "Primeros auxilios"}, follow=True)
    assert "The Spanish name of First aid is saved." in response.content.decode()
    assert "Primeros auxilios" in response.content.decode()
    assert str(Skill.objects.get(pk=skill.pk)) == "First aid"  # English readers
    language = Skill.objects.create(name="Tagalog", kind=Skill.Kind.LANGUAGE)
    as_trainer.post(url(language), {"name_es": "Tagalo"})
    assert "Tagalo" in as_responder.get("/profile/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_too_long_a_name_is_refused(as_coordinator):
    skill = Skill.objects.create(name="First aid")
    response = as_coordinator.post(url(skill), {"name_es": "x" * 61})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Skill.objects.get(pk=skill.pk).name_es == ""
