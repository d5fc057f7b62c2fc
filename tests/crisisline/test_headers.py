"""Every response carries the strict headers, whoever asks."""

import pytest

PAGES = ["/", "/accounts/login/", "/healthz", "/no-such-page/", "/home/"]


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_strict_headers_on_every_page(client, db, path):
    response = client.get(path)
    csp = directives(response)
    assert csp["default-src"] == "default-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["form-action"] == "form-action 'self'"
    assert csp["base-uri"] == "base-uri 'none'"
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("geolocation=()", "camera=()", "microphone=()"):
        assert feature in permissions
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_signed_in_pages_carry_them_too(as_coordinator):
    for path in ("/home/", "/people/", "/profile/", "/line/"):
        response = as_coordinator.get(path)
        assert response.status_code == 200, path
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_hsts_over_https_in_production(client, db):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cookies_are_secure_httponly_and_samesite(client, responder):
    from tests.factory import PASSWORD

    response = client.post("/accounts/login/", {"username": "resp", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
