from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShiftsConfig(AppConfig):
    name = "shifts"
    verbose_name = _("Shifts")

    def ready(self) -> None:
        from crisisline.models import User, person_deactivated
        from shifts.models import revoke_feed_of
        from shifts.places import free_places_of

        def _offboard(sender: object, person: User, **kwargs: object) -> None:
            # The feed dies at once; places on shifts to come go back to the team.
            revoke_feed_of(person)
            free_places_of(person)

        person_deactivated.connect(_offboard, weak=False, dispatch_uid="shifts.offboard")
