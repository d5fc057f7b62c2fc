"""Skills and trainings are granted by trainers or coordinators, with dates; never self-granted."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from crisisline.models import Skill, SkillGrant
from crisisline.skills import held_skill_ids, held_skills
from tests.factory import grant


@pytest.fixture
def holder_training(db):
    return Skill.objects.create(name="Line holder training")


def test_anonymous_and_responders_cannot_grant(client, as_responder, responder, holder_training):
    assert client.get(f"/people/{responder.pk}/skills/").status_code == 302
    assert as_responder.get(f"/people/{responder.pk}/skills/").status_code == 403
    response = as_responder.post(
        f"/people/{responder.pk}/skills/",
        {"skill": holder_training.pk, "granted_on": f"{timezone.localdate()}"},
    )
    assert response.status_code == 403
    assert not SkillGrant.objects.exists()
    assert as_responder.get("/training/").status_code == 403


def test_a_trainer_confirms_a_skill_with_dates(as_trainer, trainer, responder, holder_training):
    today = timezone.localdate()
    response = as_trainer.post(
        f"/people/{responder.pk}/skills/",
        {
            "skill": holder_training.pk,
            "granted_on": f"{today}",
            "renew_by": f"{today + timedelta(days=365)}",
        },
        follow=True,
    )
    assert "Line holder training confirmed for Sam Responder." in response.content.decode()
    held = SkillGrant.objects.get(person=responder)
    assert held.confirmed and held.granted_by == trainer
    assert held.renew_by == today + timedelta(days=365)
    assert list(held_skills(responder)) == [holder_training]


def test_nobody_grants_themselves_a_skill(as_coordinator, coordinator, holder_training):
    response = as_coordinator.post(
        f"/people/{coordinator.pk}/skills/",
        {"skill": holder_training.pk, "granted_on": f"{timezone.localdate()}"},
        follow=True,
    )
    assert "Nobody confirms their own skills" in response.content.decode()
    assert not SkillGrant.objects.exists()
    with pytest.raises(IntegrityError):  # nor by any other way in
        SkillGrant.objects.create(person=coordinator, skill=holder_training, granted_by=coordinator)


def test_bad_dates_are_refused_and_change_nothing(as_trainer, responder, holder_training):
    today = timezone.localdate()
    response = as_trainer.post(
        f"/people/{responder.pk}/skills/",
        {
            "skill": holder_training.pk,
            "granted_on": f"{today}",
            "renew_by": f"{today - timedelta(days=1)}",
        },
    )
    assert "The renewal date is before the day it was granted." in response.content.decode()
    response = as_trainer.post(
        f"/people/{responder.pk}/skills/",
        {"skill": holder_training.pk, "granted_on": f"{today + timedelta(days=2)}"},
    )
    assert "cannot be granted on a day still to come" in response.content.decode()
    response = as_trainer.post(
        f"/people/{responder.pk}/skills/", {"skill": "999999", "granted_on": f"{today}"}
    )
    assert "Choose a skill from the list." in response.content.decode()
    assert not SkillGrant.objects.exists()


def test_languages_cannot_be_granted(as_trainer, responder):
    spanish = Skill.objects.create(name="Spanish", kind=Skill.Kind.LANGUAGE)
    as_trainer.post(
        f"/people/{responder.pk}/skills/",
        {"skill": spanish.pk, "granted_on": f"{timezone.localdate()}"},
    )
    assert not SkillGrant.objects.exists()


def test_a_lapsed_skill_stops_counting(responder, holder_training):
    today = timezone.localdate()
    grant(responder, holder_training, granted_on=date(2020, 1, 1), renew_by=today)
    assert list(held_skills(responder, today)) == [holder_training]
    assert list(held_skills(responder, today + timedelta(days=1))) == []
    assert held_skill_ids([responder.pk], today + timedelta(days=1)) == {}


def test_a_self_declared_skill_does_not_count_until_confirmed(
    as_trainer, responder, holder_training
):
    SkillGrant.objects.create(person=responder, skill=holder_training, confirmed=False)
    assert list(held_skills(responder)) == []
    page = as_trainer.get(f"/people/{responder.pk}/skills/").content.decode()
    assert "self-declared, not confirmed" in page
    as_trainer.post(
        f"/people/{responder.pk}/skills/",
        {"skill": holder_training.pk, "granted_on": f"{timezone.localdate()}"},
    )
    assert list(held_skills(responder)) == [holder_training]
    assert SkillGrant.objects.count() == 1


def test_removing_a_skill_asks_first(as_coordinator, responder, holder_training):
    held = SkillGrant.objects.create(person=responder, skill=holder_training)
    url = f"/people/{responder.pk}/skills/{held.pk}/remove/"
    page = as_coordinator.get(url).content.decode()
    assert "Remove Line holder training from Sam Responder?" in page
    assert SkillGrant.objects.exists()
    response = as_coordinator.post(url, follow=True)
    assert "no longer counts" in response.content.decode()
    assert not SkillGrant.objects.exists()
    assert as_coordinator.put(url).status_code == 405


def test_training_page_lists_people_and_their_grants(as_trainer, responder, holder_training):
    SkillGrant.objects.create(person=responder, skill=holder_training, confirmed=False)
    page = as_trainer.get("/training/").content.decode()
    assert "Sam Responder" in page and "not confirmed" in page
