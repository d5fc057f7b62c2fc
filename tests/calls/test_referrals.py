"""A note can record where someone was referred: a need ticked leads to its
resources, and each referral is counted anonymously per resource and week."""

from __future__ import annotations

import re

import pytest
import time_machine

from calls.models import CallNote, NoteSeal, ReferralTally
from tests.calls.conftest import give_keys, write_note
from tests.protocols.resource_helpers import make_resource

pytestmark = pytest.mark.django_db

NEW = "/notes/new/"
TALLIES = "/protocols/resources/referrals/"
MONDAY = "2026-11-30 18:00Z"
WEDNESDAY = "2026-12-02 18:00Z"


@pytest.fixture
def resources():
    return {
        "shelter": make_resource("canary-shelter", name="Canary Shelter", police="never"),
        "clinic": make_resource(
            "canary-clinic", name="Canary Clinic", needs=("medical",), police="sometimes"
        ),
        "paused": make_resource(
            "paused-van",
            name="Paused Van",
            needs=("housing",),
            do_not_refer=True,
            do_not_refer_reason="In the shop.",
        ),
        "risky": make_resource("risky-shelter", name="Risky Shelter", police="always"),
    }


def note_form(**extra):
    return {
        "kind": "crisis-acute",
        "response": "referral",
        "police": "none",
        "keep_hours": 72,
        **extra,
    }


def test_a_need_ticked_leads_to_its_resources_without_javascript(
    as_responder, responder, resources
):
    give_keys(responder)
    response = as_responder.post(
        NEW, note_form(needs=["housing"], body="Typed before asking.", show_resources="1")
    )
    html = response.content.decode()
    assert response.status_code == 200 and not CallNote.objects.exists()
    assert "Typed before asking." in html  # nothing typed is lost
    assert "The note was not saved" not in html
    # Safest first; never a "do not refer" one; only those meeting the need.
    assert html.index("Canary Shelter") < html.index("Risky Shelter")
    assert "Paused Van" not in html and "Canary Clinic" not in html


def test_with_htmx_the_choices_come_for_the_needs_ticked(as_responder, resources):
    html = as_responder.get(
        "/notes/new/resources/?needs=medical", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Canary Clinic" in html and "Canary Shelter" not in html
    assert "<html" not in html  # only the part that changes


def test_a_referral_is_counted_for_its_resource_and_week(as_responder, responder, resources):
    give_keys(responder)
    shelter = resources["shelter"]
    response = as_responder.post(
        NEW, note_form(needs=["housing"], referrals=[shelter.pk], body="Walked over together.")
    )
    assert response.status_code == 302
    counted = ReferralTally.objects.filter(count__gt=0)
    assert [(t.resource_id, t.count) for t in counted] == [(shelter.pk, 1)]


def test_a_resource_outside_the_needs_ticked_is_refused(as_responder, responder, resources):
    give_keys(responder)
    response = as_responder.post(
        NEW, note_form(needs=["housing"], referrals=[resources["clinic"].pk])
    )
    assert response.status_code == 200 and not CallNote.objects.exists()
    assert not ReferralTally.objects.filter(count__gt=0).exists()


def test_tallies_hide_small_counts_and_show_no_totals(as_coordinator, responder, resources):
    shelter, clinic = resources["shelter"], resources["clinic"]
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(6):
            write_note(responder, needs=["housing"], referrals=[shelter.pk])
        write_note(responder, needs=["medical"], referrals=[clinic.pk])
    with time_machine.travel(WEDNESDAY, tick=False):
        html = " ".join(as_coordinator.get(TALLIES).content.decode().split())
    shelter_row = re.search(r"Canary Shelter</a></th>(.*?)</tr>", html).group(1)
    clinic_row = re.search(r"Canary Clinic</a></th>(.*?)</tr>", html).group(1)
    assert shelter_row.endswith("<td>6</td>")
    assert clinic_row.endswith("<td>fewer than 5</td>")
    # A resource never referred to reads the same as one referred to once.
    risky_row = re.search(r"Risky Shelter</a></th>(.*?)</tr>", html).group(1)
    assert risky_row.endswith("<td>fewer than 5</td>")
    assert ">7<" not in html  # no totals


def test_responders_do_not_see_the_tallies(as_responder):
    assert as_responder.get(TALLIES).status_code == 403


def test_seizure_the_tallies_cannot_tell_which_note_referred_where(responder, resources):
    """A database copy holds the notes (sealed) and the tallies: nothing in either
    ties a note to a resource, and the tallies' rows read the same whatever order
    the notes were written in."""
    shelter, clinic = resources["shelter"], resources["clinic"]

    def rows():
        return list(ReferralTally.objects.order_by("pk").values_list("pk", "resource_id", "count"))

    with time_machine.travel(MONDAY, tick=False):
        write_note(responder, needs=["housing"], referrals=[shelter.pk])
        write_note(responder, needs=["medical"], referrals=[clinic.pk])
    first = rows()
    ReferralTally.objects.all().delete()
    with time_machine.travel(MONDAY, tick=False):
        write_note(responder, needs=["medical"], referrals=[clinic.pk])
        write_note(responder, needs=["housing"], referrals=[shelter.pk])
    second = rows()
    # Ids follow resource order, not the order of referrals.
    offset = second[0][0] - first[0][0]
    assert [(pk - offset, r, c) for pk, r, c in second] == first
    assert [r for _pk, r, _c in first] == sorted(r for _pk, r, _c in first)
    # The tally holds a week, a resource and a count: nothing else.
    assert {f.column for f in ReferralTally._meta.concrete_fields} == {
        "id",
        "week",
        "resource_id",
        "count",
    }
    # No note or seal names a resource, in any column, or points to one.
    for model in (CallNote, NoteSeal):
        assert not any(f.related_model is type(shelter) for f in model._meta.fields)
        for row in model.objects.values():
            assert "canary" not in repr(row).lower()
