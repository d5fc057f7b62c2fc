"""Create the three roles and grant each its capability permission."""

from django.db import migrations

ROLE_CAPABILITIES = {
    "Responder": ("respond", "Can take shifts and write call notes"),
    "Coordinator": ("coordinate", "Can manage people, the roster and the line's public text"),
    "Trainer": ("train", "Can edit protocols and decision trees"),
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    user_type, _ = ContentType.objects.get_or_create(app_label="crisisline", model="user")
    for role, (codename, name) in ROLE_CAPABILITIES.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=user_type, codename=codename, defaults={"name": name}
        )
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_CAPABILITIES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crisisline", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
