from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from calls import checks  # registers the system checks
        from calls.unlock import (
            on_password_known,
            on_person_deactivated,
            on_sign_out_response,
            on_signed_out,
            promote_after_second_step,
        )
        from crisisline.models import person_deactivated
        from crisisline.signals import password_known, second_step_passed, signing_out

        password_known.connect(on_password_known, dispatch_uid="calls.unlock")
        second_step_passed.connect(promote_after_second_step, dispatch_uid="calls.unlock")
        user_logged_out.connect(on_signed_out, dispatch_uid="calls.unlock")
        signing_out.connect(on_sign_out_response, dispatch_uid="calls.unlock")
        person_deactivated.connect(on_person_deactivated, dispatch_uid="calls.unlock")
        # The second line of defence for expiry, after each response (calls/purge.py).
        from django.core.signals import request_finished

        from calls.purge import after_response

        request_finished.connect(after_response, dispatch_uid="calls.purge")
        # gunicorn runs no system checks: a production process stops here instead.
        checks.refuse_unsafe_start()
