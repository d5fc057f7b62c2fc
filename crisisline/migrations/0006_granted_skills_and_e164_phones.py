"""Skills people ticked for themselves become unconfirmed grants; phones become E.164.

An unconfirmed grant does not count (crisisline.skills.held_skills) until a
trainer or coordinator confirms it on the person's skills page: nothing is
dropped, and nobody carries the phone on their own word. A phone number that
cannot be read is left as it was typed: the profile, the people list and the
line alerts show it as unreachable until it is fixed.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from crisisline.phones import to_e164

    User = apps.get_model("crisisline", "User")
    SkillGrant = apps.get_model("crisisline", "SkillGrant")
    through = User.skills.through
    declared = through.objects.filter(skill__kind="skill")
    SkillGrant.objects.bulk_create(
        [
            SkillGrant(person_id=row.user_id, skill_id=row.skill_id, confirmed=False)
            for row in declared
        ],
        ignore_conflicts=True,
    )
    declared.delete()
    for person in User.objects.exclude(phone="").only("pk", "phone"):
        number = to_e164(person.phone)
        if number and number != person.phone:
            User.objects.filter(pk=person.pk).update(phone=number)
    Line = apps.get_model("crisisline", "Line")
    for line in Line.objects.exclude(public_phone=""):
        number = to_e164(line.public_phone)
        if number and number != line.public_phone:
            Line.objects.filter(pk=line.pk).update(public_phone=number)


def backwards(apps, schema_editor):
    User = apps.get_model("crisisline", "User")
    SkillGrant = apps.get_model("crisisline", "SkillGrant")
    through = User.skills.through
    through.objects.bulk_create(
        [through(user_id=g.person_id, skill_id=g.skill_id) for g in SkillGrant.objects.all()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("crisisline", "0005_skill_grants_and_gap_emails")]

    operations = [migrations.RunPython(forwards, backwards)]
