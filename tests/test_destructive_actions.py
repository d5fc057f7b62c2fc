"""Confirm or undo, never neither: every page a responder, a coordinator and a trainer
can open (the permission matrix's pages, filled in from the same small world) is read
for its destructive controls, and each must ask first or be undoable.

- A link that asks (`confirm.html#trigger`, class "ask") must lead to a route listed in
  ASKS_FIRST, whose GET is the question and changes nothing.
- A POST button that destroys (its words, or its red "danger" style) may only sit on
  its own question page (the page posts to itself and its route asks first), or be
  one of the few listed below with the reason it needs no question.

So a new Remove, Delete or Cancel button that posts at once fails here until it asks
first (crisisline/confirm.py) or is undoable and listed with its reason.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from shifts.models import SwapOffer
from tests.snapshot import database_snapshot
from tests.test_permission_matrix import EXPECTED
from tests.world import PERSONAS, World, _assign, _shift, clients

ROLES = ("responder", "coordinator", "trainer")

# The routes whose GET asks the question and whose POST does it (crisisline/confirm.py,
# or a page of its own that is the question).
ASKS_FIRST = {
    "calls:burn",
    "calls:follow_up_done",
    "calls:wipe",
    "calls:withdraw_notice",
    "calls:delete_team_review",
    "deactivate_person",
    "remove_skill",
    "reset_two_factor",
    "revoke_invitation",
    "shifts:cancel_shift",
    "shifts:cant_make_it",
    "shifts:decide_swap",
    "shifts:delete_closure",
    "shifts:delete_time_off",
    "shifts:delete_window",
    "shifts:forwarding_token",
    "shifts:release",
    "shifts:revoke_feed",
    "shifts:unassign",
    "shifts:withdraw_swap",
}

# Destructive buttons that post at once, by route and words, and why that is safe.
WITHOUT_A_QUESTION = {
    # The draft lives in the form until Save: the next step offers Undo, which puts the
    # node or answer back as it was (tests/protocols/test_tree_edit.py).
    ("protocols:tree_edit", "Remove"): "undo",
    ("protocols:tree_edit", "Remove answer"): "undo",
    # Needs a code from the person's app, typed on the same form.
    ("two_factor_off", "Turn off two-step sign-in"): "asks for a code",
    # Shows the new link at once, under a warning that the old one stops (issue 15).
    ("shifts:forwarding_token", "Replace the link"): "warned, and the new link is shown",
}

DESTROYS = re.compile(
    r"\b(remove|delete|decline|cancel|release|burn|deactivate|wipe|revoke|withdraw|unassign"
    r"|turn .*off|destroy|reset|give up|replace|can't make it|discard|drop|erase)\b",
    re.IGNORECASE,
)


class Controls(HTMLParser):
    """The page's asking links, and each POST form's action and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.asks: list[str] = []
        self.buttons: list[tuple[str, str, bool]] = []  # (form action, words, red)
        self._action: str | None = None
        self._button: list[str] | None = None
        self._red = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "a" and "ask" in classes:
            self.asks.append(a["href"])
        elif tag == "form":
            self._action = a.get("action", "") if a.get("method", "").lower() == "post" else None
        elif tag == "button" and self._action is not None and a.get("type") != "button":
            self._button, self._red = [], "danger" in classes

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._action is not None:
            words = " ".join("".join(self._button).split())
            self.buttons.append((self._action, words, self._red))
            self._button = None
        elif tag == "form":
            self._action = None


def finish_world(w: World) -> None:
    """A swap waiting for approval, so that the coordinator's swaps page has a
    Decline (tests/conftest.py builds the world)."""
    shift, slot = _shift(18, w.position)
    SwapOffer.objects.create(
        assignment=_assign(w.people["outsider"], shift, slot),
        offered_by=w.people["outsider"],
        taken_by=w.people["responder"],
        status=SwapOffer.Status.PENDING,
    )


def route(path: str) -> str:
    match = resolve(urlsplit(path).path)
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)


def test_every_destructive_control_asks_first_or_can_be_undone(world: World) -> None:
    by_persona = clients(world)
    problems: list[str] = []
    asked: set[str] = set()
    pages = 0
    for persona in ROLES:
        client = by_persona[persona]
        for key, expect in sorted(EXPECTED.items()):
            if expect.statuses[PERSONAS.index(persona)] != 200:
                continue
            url = reverse(key.split("[")[0], kwargs=expect.kwargs(world)) + expect.query
            response = client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            page = Controls()
            page.feed(response.content.decode())
            for href in page.asks:
                asked.add(route(href))
                if route(href) not in ASKS_FIRST:
                    problems.append(f"{url}: a link asks first for {href}, not in ASKS_FIRST")
            for action, words, red in page.buttons:
                if not (red or DESTROYS.search(words)):
                    continue
                name = route(action or url)
                own_question = urlsplit(action or url).path == urlsplit(url).path
                if name in ASKS_FIRST and own_question:
                    continue
                if (name, words) not in WITHOUT_A_QUESTION:
                    problems.append(f'{url} ({persona}): "{words}" posts to {name} at once')
    assert pages > 60, f"only {pages} pages read"
    assert not problems, "\n".join(problems)
    # The list keeps up with the pages: each route in it is asked about somewhere.
    own_pages = {"calls:follow_up_done", "calls:wipe", "deactivate_person", "reset_two_factor"}
    assert ASKS_FIRST - own_pages <= asked, ASKS_FIRST - own_pages - asked


# Where the matrix's example has nothing to destroy, so no question: one that has.
HAS_SOMETHING_TO_DESTROY = {
    "reset_two_factor": lambda w: {"pk": w.people["coordinator"].pk},  # theirs is on
}


@pytest.mark.parametrize("name", sorted(ASKS_FIRST))
def test_asking_first_changes_nothing(world: World, name: str) -> None:
    """GET on each such route, as the person it is for, is a question: a form that
    posts back to the same address with a red button, and nothing changed."""
    keys = [key for key in EXPECTED if key.split("[")[0] == name and 200 in EXPECTED[key].statuses]
    assert keys, f"{name} is not in the permission matrix"
    by_persona = clients(world)
    for key in keys:
        expect = EXPECTED[key]
        persona = next(p for p, s in zip(PERSONAS, expect.statuses, strict=True) if s == 200)
        kwargs = HAS_SOMETHING_TO_DESTROY.get(name, expect.kwargs)(world)
        path = reverse(name, kwargs=kwargs)
        before = database_snapshot()
        response = by_persona[persona].get(path + expect.query)
        assert database_snapshot() == before, f"asking {key} changed data"
        assert response.status_code == 200, (key, response.status_code)
        page = Controls()
        page.feed(response.content.decode())
        assert any((action or path) == path and red for action, _words, red in page.buttons), (
            f"{key}: no red button posting back to {path}"
        )
