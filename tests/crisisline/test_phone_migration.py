"""The migration to granted skills and E.164 phones keeps everything and counts nothing unconfirmed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("crisisline", "0005_skill_grants_and_gap_emails")]
AFTER = [("crisisline", "0006_granted_skills_and_e164_phones")]


@pytest.fixture
def back_to_the_latest_schema():
    """Leave the database fully migrated: later migrations' tables are needed by
    the tests that run after this one."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_self_declared_skills_become_unconfirmed_grants_and_phones_e164(
    settings, back_to_the_latest_schema
):
    settings.PHONE_REGION = ""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User, Skill = old.get_model("crisisline", "User"), old.get_model("crisisline", "Skill")
    holder = Skill.objects.create(name="Line holder training", kind="skill")
    spanish = Skill.objects.create(name="Spanish", kind="language")
    typed = User.objects.create(username="typed", display_name="T", phone="+1 (555) 010-2222")
    odd = User.objects.create(username="odd", display_name="O", phone="ask Rosa")
    typed.skills.add(holder, spanish)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    # The models below are today's: bring the later crisisline migrations too.
    executor = MigrationExecutor(connection)
    latest = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "crisisline"]
    executor.migrate(latest)

    from crisisline.models import SkillGrant, User
    from crisisline.skills import held_skills

    typed = User.objects.get(username="typed")
    assert typed.phone == "+15550102222"
    assert User.objects.get(username="odd").phone == "ask Rosa"  # kept, flagged
    assert User.objects.get(username="odd").phone_needs_fixing
    grant = SkillGrant.objects.get(person=typed)
    assert grant.skill.name == "Line holder training" and not grant.confirmed
    assert [s.name for s in held_skills(typed)] == ["Spanish"]
    assert odd.pk
