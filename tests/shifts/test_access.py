"""Every shifts view: anonymous -> sign in, wrong role -> 403, wrong method -> 405."""

import pytest

from crisisline.models import keyed_hash
from shifts.models import RosterRules, ShiftPreferences

# (path, allowed methods, who may use it)
COORDINATOR_VIEWS = [
    ("/roster/", "GET"),
    ("/roster/week/", "GET"),
    ("/roster/print/", "GET"),
    ("/roster/week/print/", "GET"),
    ("/roster/coverage/", "GET"),
    ("/roster/generate/", "GET POST"),
    ("/roster/shifts/new/", "GET POST"),
    ("/roster/shifts/1/", "GET POST"),
    ("/roster/shifts/1/cancel/", "GET POST"),
    ("/roster/shifts/1/restore/", "POST"),
    ("/roster/slots/1/assign/", "GET POST"),
    ("/roster/assignments/1/unassign/", "GET POST"),
    ("/roster/hours/", "GET POST"),
    ("/roster/hours/1/delete/", "GET POST"),
    ("/roster/closures/", "POST"),
    ("/roster/closures/1/delete/", "GET POST"),
    ("/roster/positions/", "GET POST"),
    ("/roster/positions/1/", "GET POST"),
    ("/roster/rules/", "GET POST"),
    ("/roster/rules/forwarding/", "GET POST"),
    ("/roster/swaps/", "GET"),
    ("/roster/swaps/1/decide/", "POST"),
]
RESPONDER_VIEWS = [
    ("/places/", "GET"),
    ("/places/1/claim/", "POST"),
    ("/me/shifts/", "GET"),
    ("/me/shifts/1/release/", "GET POST"),
    ("/me/shifts/1/cant-make-it/", "GET POST"),
    ("/me/shifts/1/swap/", "POST"),
    ("/me/time-off/", "GET POST"),
    ("/me/time-off/1/delete/", "GET POST"),
    ("/me/shift-settings/", "GET POST"),
    ("/me/shift-settings/feed/", "POST"),
    ("/me/shift-settings/feed/revoke/", "GET POST"),
    ("/swaps/1/take/", "POST"),
    ("/swaps/1/withdraw/", "GET POST"),
]
ALL = COORDINATOR_VIEWS + RESPONDER_VIEWS + [("/oncall/", "GET")]


def _call(client, path, method):
    return getattr(client, method.lower())(path)


@pytest.mark.parametrize(("path", "methods"), ALL)
def test_anonymous_is_sent_to_sign_in(client, db, path, methods):
    response = _call(client, path, methods.split()[0])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("path", "methods"), COORDINATOR_VIEWS)
def test_responders_cannot_use_the_roster(as_responder, path, methods):
    assert _call(as_responder, path, methods.split()[0]).status_code == 403


@pytest.mark.parametrize(("path", "methods"), RESPONDER_VIEWS)
def test_people_without_the_responder_role_cannot_take_shifts(as_trainer, path, methods):
    assert _call(as_trainer, path, methods.split()[0]).status_code == 403


@pytest.mark.parametrize(("path", "methods"), ALL)
def test_other_methods_are_refused(as_coordinator, path, methods):
    for method in {"GET", "POST", "DELETE"} - set(methods.split()):
        assert _call(as_coordinator, path, method).status_code == 405


@pytest.mark.parametrize(
    "path", ["/roster/shifts/999/", "/roster/slots/999/assign/", "/roster/positions/999/"]
)
def test_unknown_objects_are_404(as_coordinator, path):
    assert as_coordinator.get(path).status_code == 404


def test_bad_feed_and_forwarding_tokens_are_bare_404s(client, responder):
    prefs = ShiftPreferences.of(responder)
    prefs.new_feed_token()
    RosterRules.current().new_forwarding_token()
    for path in ["/feed/not-the-token.ics", "/forward/not-the-token", "/feed/.ics"]:
        response = client.get(path)
        assert response.status_code == 404
        body = response.content.decode().lower()
        assert not any(word in body for word in ("expired", "revoked", "invalid", "deactivated"))
    # An empty stored hash never matches an empty or any token.
    prefs.revoke_feed()
    assert keyed_hash("feed", "") != ""
    assert client.get("/forward/x").status_code == 404
