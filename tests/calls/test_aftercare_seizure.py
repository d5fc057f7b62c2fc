"""A seizure after every aftercare action finds nothing about a call, and nothing
that was meant to go: check-outs and their debrief and break requests, the
start-of-shift briefing, field check-ins, notices, team reviews and the weekly
counts. What a person types beside the choices (a place, a reason) is never kept;
notices and reviews, kept in clear by design, are gone from the files once they
expire or the line wipes."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from calls.models import AftercareRequest, CheckOut, FieldCheckIn, Notice, TeamReview, WeeklyCount
from calls.purge import purge_expired
from crisisline.roles import COORDINATOR, RESPONDER
from tests.calls.conftest import client_for, clock_at, note_form
from tests.calls.test_seizure import copy_database, files_holding
from tests.factory import make_person
from tests.protocols.conftest import make_page
from tests.shifts.conftest import in_hours, make_position, make_shift, put


def canary() -> str:
    return f"canary-{uuid.uuid4().hex}"


def seized(tmp_path, settings, caplog, name: str) -> list:
    """Everything a seizure takes: the database, the keyring and the log."""
    copies = copy_database(tmp_path / name)
    log = tmp_path / f"{name}.log"
    log.write_text(caplog.text)
    return [tmp_path / name, settings.KEYRING_DIR, log, *copies]


# Outside a test transaction, as every seizure test: SQLite's backup of the in-memory
# database waits forever for a transaction that the test itself holds open.
@pytest.mark.django_db(transaction=True)
def test_aftercare_actions_leave_nothing_about_a_call_on_disk(tmp_path, settings, caplog):
    responder = make_person("sam", RESPONDER)
    debriefer = make_person("debriefer", RESPONDER)
    worker, debrief = make_position("Responder"), make_position("Debrief", takes_debriefs=True)
    first = make_shift(in_hours(-5), hours=4, positions=[worker, debrief])
    second = make_shift(in_hours(-9), hours=4, positions=[worker, debrief])
    put(responder, first, worker)
    put(responder, second, worker)
    now_shift = make_shift(in_hours(-1), hours=4, positions=[worker, debrief])
    put(debriefer, now_shift, debrief)
    plan = make_page("police-plan", title="Police presence plan", category="police-presence")
    plan.review_at_shift_start = True
    plan.save()
    said = {name: canary() for name in ("note", "debrief", "break", "place", "briefing", "count")}

    client = client_for(responder)
    # A note (its needs counted weekly) whose text is the one thing about a call.
    written = client.post("/notes/new/", note_form(body=said["note"], needs=["housing", "food"]))
    assert written.status_code == 302
    # Whatever else a form carries beside its choices is dropped, never kept.
    for shift, answer, extra in [
        (first, "debrief", {"reason": said["debrief"], "note": said["debrief"]}),
        (second, "break", {"reason": said["break"]}),
    ]:
        posted = client.post(f"/aftercare/check-out/{shift.pk}/", {"answer": answer, **extra})
        assert posted.status_code == 302
    started = client.post("/aftercare/field/", {"minutes": "45", "location": said["place"]})
    assert started.status_code == 302
    debriefer_client = client_for(debriefer)
    board = debriefer_client.get("/oncall/").content.decode()
    assert "sam asked for a debrief" in board.replace("Sam", "sam")
    assert "Before you start" in board  # the briefing, on shift now
    read = debriefer_client.post(
        f"/aftercare/briefing/{now_shift.pk}/read/", {"summary": said["briefing"]}
    )
    assert read.status_code == 302
    assert AftercareRequest.objects.filter(kind="debrief", asked_by=responder).exists()
    # The break was asked without a name: nothing ties it to who asked.
    assert AftercareRequest.objects.get(kind="break").asked_by is None
    assert CheckOut.objects.filter(person=responder).count() == 2
    assert FieldCheckIn.objects.filter(person=responder).exists()
    assert WeeklyCount.objects.get(measure="need", value="housing").count == 1
    assert {f.name for f in WeeklyCount._meta.get_fields()} == {
        "id",
        "week",
        "measure",
        "value",
        "count",
    }

    files = seized(tmp_path, settings, caplog, "seized")
    assert files_holding(list(said.values()), *files) == []
    if connection.vendor == "sqlite":
        # Read as an attacker would, from the copy: a check-out never holds its answer,
        # and the anonymous break request names nobody.
        copy = sqlite3.connect(tmp_path / "seized" / "db.sqlite3")
        columns = {row[1] for row in copy.execute("PRAGMA table_info(calls_checkout)")}
        assert columns == {"id", "person_id", "shift_id", "expires_at"}
        breaks = copy.execute("SELECT asked_by_id FROM calls_aftercarerequest WHERE kind='break'")
        assert breaks.fetchall() == [(None,)]
        copy.close()
    # The control: the same search finds a canary put there in clear.
    (tmp_path / "seized" / "control.txt").write_text(said["place"])
    assert files_holding([said["place"]], tmp_path / "seized")


@pytest.mark.django_db(transaction=True)
def test_notices_and_team_reviews_leave_no_trace_once_gone(tmp_path, settings, caplog):
    """Kept in clear while they live (the control finds them), gone from every file
    once a notice expires through the purge or the line wipes its reviews."""
    coordinator = make_person("coordinator", COORDINATOR, RESPONDER)
    notice_text, review_text = canary(), canary()
    client = client_for(coordinator)
    last_day = timezone.localdate() + timedelta(days=1)
    posted = client.post("/notices/", {"text": f"Closed {notice_text}", "last_day": last_day})
    assert posted.status_code == 302
    reviewed = client.post(
        "/notes/evaluation/review/",
        {"period": "March", "went_well": f"We showed up {review_text}"},
    )
    assert reviewed.status_code == 302
    assert Notice.objects.exists() and TeamReview.objects.exists()
    before = seized(tmp_path, settings, caplog, "before")
    assert files_holding([notice_text, review_text], *before)  # the control

    with clock_at(timezone.now() + timedelta(days=3)):
        purge_expired()
    assert not Notice.objects.exists()
    assert client.post("/notes/wipe/", {"phrase": "destroy every note"}).status_code == 302
    assert not TeamReview.objects.exists()
    after = seized(tmp_path, settings, caplog, "after")
    assert files_holding([notice_text, review_text], *after) == []
