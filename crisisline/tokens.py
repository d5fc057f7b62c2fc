"""Password links (the coordinator's "Password link", Django's reset view).

Django's token already dies when the password or last sign-in changes. Ours
also dies when the person is deactivated, for good: `access_changed_at` moves
at every deactivation and reactivation, so a link issued before either never
works again, even once the person is active again. It dies too when the
person becomes (or stops being) an administrator: a coordinator who saw a
person's link must not be able to use it after that person gains the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class PasswordLinkTokens(PasswordResetTokenGenerator):
    key_salt = "crisisline.tokens.PasswordLinkTokens"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        access_changed = (
            "" if user.access_changed_at is None else user.access_changed_at.isoformat()
        )
        return (
            super()._make_hash_value(user, timestamp)
            + f"|active={user.is_active}|staff={user.is_staff}|super={user.is_superuser}"
            + f"|access={access_changed}"
        )


password_links = PasswordLinkTokens()
