from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShiftsConfig(AppConfig):
    name = "shifts"
    verbose_name = _("Shifts")

    def ready(self) -> None:
        from crisisline.models import person_deactivated
        from shifts.models import revoke_feed_of

        def _revoke_feed(sender, person, **kwargs) -> None:
            revoke_feed_of(person)

        person_deactivated.connect(_revoke_feed, weak=False, dispatch_uid="shifts.revoke_feed")
