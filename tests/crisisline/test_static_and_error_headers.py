"""Static files and early error pages carry the strict headers too: a CSS file,
a script or an icon opened on its own must not be framed or run anything, and a
400 for a bad Host (answered before most middleware ran) is no exception."""

from __future__ import annotations

import pytest

STATIC = ["/static/crisisline.css", "/static/vendor/htmx-2.0.11.min.js", "/static/favicon.svg"]


@pytest.mark.parametrize("path", STATIC)
def test_static_files_carry_csp_permissions_and_frame_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "sandbox" in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("secure", [False, True])
def test_a_bad_host_gets_a_400_with_the_strict_headers(client, secure):
    response = client.get("/", HTTP_HOST="evil.example", secure=secure)
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
