from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self) -> None:
        from calls import checks  # noqa: F401  (registers the keyring check)
        from calls.unlock import on_password_known
        from crisisline.signals import password_known

        password_known.connect(on_password_known, dispatch_uid="calls.unlock")
