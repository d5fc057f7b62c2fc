from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self) -> None:
        from calls import checks  # noqa: F401  (registers the keyring check)
