from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "protocols"

    def ready(self) -> None:
        from crisisline import offline as kept
        from protocols import offline

        kept.register(offline.ROUTES, offline.addresses, offline.fallbacks)
