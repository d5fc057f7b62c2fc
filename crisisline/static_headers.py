"""Headers for static files (CSS, scripts, icons) served by WhiteNoise.

WhiteNoise answers before the CSP and Permissions-Policy middleware run, so it
adds them itself (settings.WHITENOISE_ADD_HEADERS_FUNCTION). A static file
needs no more than its own type: the policy allows nothing, and `sandbox`
keeps an SVG opened on its own from running anything.
"""

from __future__ import annotations

from django.conf import settings

STATIC_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
)


def permissions_policy() -> str:
    """The site's Permissions-Policy, as django-permissions-policy writes it."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})"
        for feature, allowed in settings.PERMISSIONS_POLICY.items()
    )


def add_static_headers(headers: dict[str, str], path: str, url: str) -> None:
    headers["Content-Security-Policy"] = STATIC_POLICY
    headers["Permissions-Policy"] = permissions_policy()
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
