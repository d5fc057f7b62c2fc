"""A responder signs in on a phone and lands on their dashboard."""

import pytest

from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, make_person


@pytest.mark.django_db(transaction=True)
def test_responder_signs_in_on_a_phone_and_sees_the_dashboard(phone, html_checker):
    make_person("responder", "Responder", display_name="Sam Responder")
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    phone.goto("/")
    audit(phone, html_checker)
    phone.goto("/accounts/login/")
    audit(phone, html_checker)

    sign_in(phone, "responder", PASSWORD)

    assert phone.url.endswith("/home/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Hello, Sam Responder"
    assert phone.get_by_text("Responder", exact=True).is_visible()
    # Fits the phone: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # htmx loaded from this server under the strict CSP, with no violations.
    assert phone.evaluate("typeof window.htmx") == "object"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    audit(phone, html_checker)
