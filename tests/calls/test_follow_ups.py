"""The follow-up queue: due on /oncall/ and the dashboard, done, hand on, couldn't reach;
the page of a gone note tells its former readers what happened (410), without content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from calls.models import CallNote, NoteEnding, NoteSeal, WeeklyCount
from calls.purge import purge_expired
from crisisline.roles import RESPONDER
from tests.calls.conftest import (
    client_for,
    note_form,
    read_contents,
    sealed_expiry,
    write_note,
)
from tests.depth import THOROUGH
from tests.factory import make_person

NOON = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # a Wednesday; any day would do


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOON, tick=True) as traveller:
        yield traveller


@pytest.fixture
def mate(db):
    return make_person("mate", RESPONDER, display_name="Mate Follower")


@pytest.fixture
def third(db):
    return make_person("third", RESPONDER, display_name="Third Teammate")


def handed(author, mate, body="follow-up-canary", days=0, **fields):
    day = timezone.localdate() + timedelta(days=days)
    return write_note(author, body, follow_up_to=mate, follow_up_by=day, **fields)


def queue_of(client, url="/oncall/") -> str:
    body = client.get(url).content.decode()
    if "Your follow-ups" not in body:
        return ""
    return body.split("Your follow-ups", 1)[1].split("</section>", 1)[0]


# --- Writing one -------------------------------------------------------------------------


def test_a_follow_up_needs_the_persons_agreement(responder, mate):
    from tests.calls.conftest import give_keys

    give_keys(mate)
    client = client_for(responder)
    day = timezone.localdate().isoformat()
    refused = client.post(
        "/notes/new/",
        note_form(follow_up_to=str(mate.pk), follow_up_by=day, agreed_to_contact=None),
    )
    assert refused.status_code == 200
    assert "agreement to be contacted" in refused.content.decode()
    assert not CallNote.objects.exists()
    agreed = client.post("/notes/new/", note_form(follow_up_to=str(mate.pk), follow_up_by=day))
    assert agreed.status_code == 302 and CallNote.objects.count() == 1


def test_no_tick_is_asked_without_a_follow_up(responder):
    assert client_for(responder).post("/notes/new/", note_form()).status_code == 302


# --- The queue ---------------------------------------------------------------------------


def test_due_and_overdue_show_on_oncall_soonest_first(responder, mate):
    handed(responder, mate, days=0, kind="prevention")
    handed(responder, mate, days=-2, kind="aftercare")
    handed(responder, mate, days=3, kind="information")
    queue = queue_of(client_for(mate))
    assert "Overdue since" in queue and "Due today" in queue
    assert queue.index("Aftercare") < queue.index("Prevention")  # overdue first
    assert "Information" not in queue  # not due yet: only counted
    assert "1 more due later." in queue


def test_the_dashboard_shows_the_same_queue(responder, mate):
    handed(responder, mate, kind="prevention")
    assert "Prevention" in queue_of(client_for(mate), "/home/")


def test_the_author_does_not_see_a_handed_note_in_their_queue(responder, mate):
    handed(responder, mate)
    assert queue_of(client_for(responder)) == ""


def test_the_queue_is_not_kept_by_browsers(responder, mate):
    handed(responder, mate)
    response = client_for(mate).get("/oncall/")
    assert "no-store" in response["Cache-Control"]


def test_a_locked_browser_is_told_to_sign_in_again(responder, mate, client):
    handed(responder, mate)
    client.force_login(mate)  # no note key held in this browser
    queue = queue_of(client)
    assert "locked in this browser" in queue and "follow-up-canary" not in queue


# --- Done ----------------------------------------------------------------------------------


def test_done_asks_first_then_burns_and_counts(responder, mate):
    note = handed(responder, mate)
    client = client_for(mate)
    confirm = client.get(f"/notes/{note.public_id}/done/")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert CallNote.objects.filter(pk=note.pk).exists()
    response = client.post(f"/notes/{note.public_id}/done/")
    assert response.status_code == 302 and response["Location"] == "/oncall/"
    assert not CallNote.including_expired.filter(pk=note.pk).exists()
    counted = WeeklyCount.objects.get(measure="follow-up", value="done")
    assert counted.count == 1
    # Both former readers are told what happened, without anything the note said.
    for person in (responder, mate):
        gone = client_for(person).get(f"/notes/{note.public_id}/")
        text = gone.content.decode()
        assert gone.status_code == 410
        assert "follow-up was marked done" in text and "follow-up-canary" not in text


def test_only_the_teammate_holding_it_may_mark_it_done(responder, mate):
    note = handed(responder, mate)
    response = client_for(responder).post(f"/notes/{note.public_id}/done/")
    assert response.status_code == 302 and response["Location"] == f"/notes/{note.public_id}/"
    assert CallNote.objects.filter(pk=note.pk).exists()


def test_nobody_else_learns_the_note_exists(responder, mate, third, client):
    note = handed(responder, mate)
    other = client_for(third)
    for path in ("done", "unreachable", "hand-on"):
        assert other.post(f"/notes/{note.public_id}/{path}/").status_code == 404
        anonymous = client.post(f"/notes/{note.public_id}/{path}/")
        assert "/accounts/login/" in anonymous["Location"]
    assert CallNote.objects.filter(pk=note.pk).exists()


# --- Couldn't reach -----------------------------------------------------------------------


def test_couldnt_reach_keeps_the_note_and_says_when(responder, mate):
    note = handed(responder, mate, kind="prevention")
    client = client_for(mate)
    response = client.post(f"/notes/{note.public_id}/unreachable/")
    assert response.status_code == 302
    assert CallNote.objects.filter(pk=note.pk).exists()
    queue = queue_of(client)
    assert "Couldn&#x27;t reach yet" in queue or "Couldn't reach yet" in queue
    assert "Nothing due today." in queue
    # Sealed with the note: its author reads it too, and nothing about it is in clear.
    assert read_contents(note, responder).unreachable_on == timezone.localdate()
    assert read_contents(note, mate).body == "follow-up-canary"


# --- Hand on -------------------------------------------------------------------------------


def test_hand_on_reseals_to_the_next_teammate_only(responder, mate, third):
    from tests.calls.conftest import give_keys

    give_keys(third)
    note = handed(responder, mate)
    client = client_for(mate)
    form = client.get(f"/notes/{note.public_id}/hand-on/").content.decode()
    assert "Third Teammate" in form and "Mate Follower" not in form
    response = client.post(f"/notes/{note.public_id}/hand-on/", {"to": third.pk})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.follow_up_to == third
    readers = set(NoteSeal.objects.filter(note=note).values_list("recipient_id", flat=True))
    assert readers == {responder.pk, third.pk}  # one follow-up reader at a time
    assert read_contents(note, third).body == "follow-up-canary"
    assert "Crisis: acute" in queue_of(client_for(third))
    gone = client.get(f"/notes/{note.public_id}/")
    assert gone.status_code == 410 and "handed its follow-up on" in gone.content.decode()


def test_hand_on_refuses_someone_who_never_signed_in(responder, mate, third):
    note = handed(responder, mate)  # third has no key pair
    response = client_for(mate).post(f"/notes/{note.public_id}/hand-on/", {"to": third.pk})
    assert response.status_code == 200
    assert "has not signed in since notes were sealed" in response.content.decode()
    note.refresh_from_db()
    assert note.follow_up_to == mate


def test_hand_on_refuses_oneself_someone_inactive_and_a_non_responder(responder, mate, third):
    from tests.calls.conftest import give_keys

    give_keys(third)
    note = handed(responder, mate)
    client = client_for(mate)
    trainer = make_person("tess", "Trainer", display_name="Tess Trainer")
    give_keys(trainer)
    third.is_active = False
    third.save()
    for person, said in (
        (mate, "It is already yours."),
        (third, "is no longer active on the line"),
        (trainer, "does not hold the Responder role"),
    ):
        response = client.post(f"/notes/{note.public_id}/hand-on/", {"to": person.pk})
        assert response.status_code == 200 and said in response.content.decode(), said
    note.refresh_from_db()
    assert note.follow_up_to == mate


def test_a_handed_note_that_expires_tells_its_holder_and_leaves_the_queue(
    responder, mate, fixed_clock
):
    note = handed(responder, mate, body="expiring-follow-up", keep_hours=1)
    client = client_for(mate)
    assert "Due today" in queue_of(client)
    fixed_clock.move_to(sealed_expiry(note) + timedelta(minutes=1))
    assert "Due today" not in queue_of(client) and "Overdue" not in queue_of(client)
    for when in ("before the purge", "after the purge"):
        gone = client.get(f"/notes/{note.public_id}/")
        assert gone.status_code == 410 and "expired" in gone.content.decode(), when
        assert "expiring-follow-up" not in gone.content.decode()
        fixed_clock.move_to(note.expires_at + timedelta(minutes=1))  # its key's hour is over
        purge_expired()
    assert not CallNote.objects.filter(pk=note.pk).exists()


def test_an_action_on_a_note_whose_key_is_gone_says_so(responder, mate, third, settings):
    from pathlib import Path

    from tests.calls.conftest import give_keys

    give_keys(third)
    note = handed(responder, mate)
    for key in Path(settings.KEYRING_DIR).glob(f"bucket-{note.body_bucket}.*"):
        key.unlink()
    client = client_for(mate)
    for action in ("unreachable", "hand-on"):
        response = client.post(f"/notes/{note.public_id}/{action}/", {"to": third.pk}, follow=True)
        page = response.content.decode()
        assert "That could not be done: the note can no longer be opened." in page, action
        assert "its key is missing from the server" in page, action


def test_an_action_on_a_copy_that_does_not_open_says_so_on_the_queue(responder, mate):
    note = handed(responder, mate)
    seal = NoteSeal.objects.get(note=note, recipient=mate)
    NoteSeal.objects.filter(pk=seal.pk).update(sealed_key=bytes(64))  # damaged, key still there
    response = client_for(mate).post(f"/notes/{note.public_id}/unreachable/", follow=True)
    assert response.redirect_chain[-1][0] == "/oncall/"
    assert "That could not be done: the note can no longer be opened." in (
        response.content.decode()
    )


# --- Gone: burned, expired ---------------------------------------------------------------


def test_a_burned_note_tells_the_other_reader(responder, mate):
    note = handed(responder, mate)
    client_for(responder).post(f"/notes/{note.public_id}/burn/")
    gone = client_for(mate).get(f"/notes/{note.public_id}/")
    assert gone.status_code == 410 and "burned" in gone.content.decode()


def test_an_expired_note_says_so_before_and_after_the_purge(responder, mate, fixed_clock):
    note = write_note(responder, "expiry-canary", keep_hours=1)
    fixed_clock.shift(timedelta(hours=3))
    client = client_for(responder)
    before = client.get(f"/notes/{note.public_id}/")
    assert before.status_code == 410 and "expired" in before.content.decode()
    purge_expired()
    after = client.get(f"/notes/{note.public_id}/")
    assert after.status_code == 410 and "expired" in after.content.decode()
    assert "expiry-canary" not in after.content.decode()
    # A stranger still learns nothing.
    assert client_for(mate).get(f"/notes/{note.public_id}/").status_code == 404


def test_what_became_of_a_note_is_itself_purged_after_a_week(responder, fixed_clock):
    note = write_note(responder, keep_hours=1)
    fixed_clock.shift(timedelta(hours=2))
    purge_expired()
    assert NoteEnding.objects.count() == 1
    fixed_clock.shift(timedelta(days=8))
    purged = purge_expired()
    assert purged.endings == 1 and not NoteEnding.objects.exists()
    assert client_for(responder).get(f"/notes/{note.public_id}/").status_code == 404


# --- Cost --------------------------------------------------------------------------------


def _oncall_queries(client, url="/oncall/") -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_dashboard_keeps_its_query_count_with_many_follow_ups_and_notices(responder, mate):
    from calls.models import Notice

    client = client_for(mate)
    note = handed(responder, mate)
    _oncall_queries(client, "/home/")  # the holder's index learns the note
    one, body = _oncall_queries(client, "/home/")
    assert body.count("Due today") == 1
    for path in ("", "done/", "hand-on/"):
        assert f'href="/notes/{note.public_id}/{path}"' in body
    assert f'action="/notes/{note.public_id}/unreachable/"' in body
    for number in range(30):
        handed(responder, mate, body=f"note {number}", days=number % 3 - 1)
    Notice.objects.bulk_create(
        Notice(text=f"Notice {n}.", posted_at=NOON, expires_at=NOON + timedelta(days=3))
        for n in range(20)
    )
    _oncall_queries(client, "/home/")
    many, body = _oncall_queries(client, "/home/")
    assert many == one
    assert body.count("Mark read") == 20 and body.count("Overdue since") == 10
    assert body.count('formaction="/notices/') == 20


# A thousand in the thorough run (tests/depth.py); two hundred otherwise, still twenty
# times the ten the page shows, at a fifth of the cost of writing and sealing them.
MANY = 999 if THOROUGH else 199


@pytest.mark.thorough
def test_oncall_keeps_its_query_count_with_hundreds_of_follow_ups_and_fifty_notices(
    responder, mate, monkeypatch
):
    from calls import sealing

    opened = []
    real_open = sealing.open_sealed
    monkeypatch.setattr(sealing, "open_sealed", lambda *args: opened.append(1) or real_open(*args))
    client = client_for(mate)
    holding_none, _body = _oncall_queries(client)
    handed(responder, mate, kind="prevention")
    first_one, body = _oncall_queries(client)
    assert body.count("Due today") == 1 and len(opened) == 1
    # Once the holder's index knows the note: the index and the notes shown besides
    # how many they hold (asked of anyone); no note is opened again.
    holding_one, body = _oncall_queries(client)
    assert holding_one == holding_none + 2
    assert body.count("Due today") == 1 and len(opened) == 1
    for number in range(MANY):
        handed(responder, mate, body=f"note {number}", days=number % 5 - 2)
    from calls.models import Notice

    Notice.objects.bulk_create(
        Notice(text=f"Notice {n}.", posted_at=NOON, expires_at=NOON + timedelta(days=3))
        for n in range(50)
    )
    opened.clear()
    first_many, body = _oncall_queries(client)
    # Only the notes it had not seen are opened, in no more queries than for one.
    assert first_many <= first_one and len(opened) == MANY
    holding_many, body = _oncall_queries(client)
    assert body.count("Mark read") == 50
    assert holding_many == holding_one and len(opened) == MANY
    due = 1 + len([n for n in range(MANY) if n % 5 == 2])
    overdue = len([n for n in range(MANY) if n % 5 < 2])
    # The soonest due are shown (overdue first), the rest counted with a way to all of them.
    assert body.count("Overdue since") == 10 and "Due today" not in body
    assert f"And {due + overdue - 10} more due now." in body
    later = len([n for n in range(MANY) if n % 5 > 2])
    assert f"{later} more due later." in body


def test_an_index_kept_as_before_still_shows_the_queue_without_reopening_notes(
    responder, mate, monkeypatch
):
    """Indexes written before ids and rows were kept side by side (rows by id, as
    text) still open: the queue is the same, and no note is opened again."""
    import json

    from calls import followup_index, keyring, sealing
    from calls.models import FollowUpIndex, NoteKeys
    from tests.factory import PASSWORD

    for days in (-1, 0, 1):
        handed(responder, mate, body=f"note {days}", days=days)
    client = client_for(mate)
    queue = queue_of(client)  # the index learns the three notes
    assert queue.count("Overdue since") == 1 and queue.count("Due today") == 1
    private = NoteKeys.objects.get(person=mate).unlock(PASSWORD)
    index = followup_index.load(mate, private)
    assert index is not None and len(index.rows) == 3
    as_before = {"f": list(index.fingerprint), "r": {str(pk): r for pk, r in index.rows.items()}}
    context = followup_index._context(mate)
    inner = sealing.encrypt_data(
        json.dumps(as_before).encode(), followup_index._key(private), context
    )
    kept = FollowUpIndex.objects.get(reader=mate)
    kept.ciphertext = keyring.encrypt_bytes(inner, bucket=kept.bucket, context=context)
    kept.save()
    opened = []
    real_open = sealing.open_sealed
    monkeypatch.setattr(sealing, "open_sealed", lambda *args: opened.append(1) or real_open(*args))
    queue = queue_of(client)
    assert queue.count("Overdue since") == 1 and queue.count("Due today") == 1
    assert "1 more due later." in queue and not opened


def test_couldnt_reach_and_done_show_at_once_without_reopening_the_rest(
    responder, mate, monkeypatch
):
    from calls import sealing

    notes = [handed(responder, mate, body=f"note {n}") for n in range(3)]
    client = client_for(mate)
    assert queue_of(client).count("Due today") == 3
    opened = []
    real_open = sealing.open_sealed
    monkeypatch.setattr(sealing, "open_sealed", lambda *args: opened.append(1) or real_open(*args))
    client.post(f"/notes/{notes[0].public_id}/unreachable/")
    queue = queue_of(client)
    assert queue.count("Due today") == 2 and "reach yet" in queue
    assert len(opened) == 2  # the action, then that note again; not the others
    client.post(f"/notes/{notes[1].public_id}/done/")
    assert queue_of(client).count("Due today") == 1 and len(opened) == 2


def test_a_burned_note_takes_its_holders_queue_index_with_it(responder, mate):
    from calls.models import FollowUpIndex

    note = handed(responder, mate)
    client = client_for(mate)
    assert "Due today" in queue_of(client)
    assert FollowUpIndex.objects.filter(reader=mate).exists()
    client_for(responder).post(f"/notes/{note.public_id}/burn/")
    assert not FollowUpIndex.objects.filter(reader=mate).exists()
    assert queue_of(client) == ""


def test_the_queue_index_goes_with_its_earliest_notes_key(responder, mate, fixed_clock):
    """Once the hour of its earliest note is over and the purge has run, the index no
    longer opens (its key is destroyed) and its row is deleted; the queue is made
    again from the notes still there."""
    from calls.models import FollowUpIndex

    handed(responder, mate, keep_hours=1, days=0)
    handed(responder, mate, body="later one", days=3)
    client = client_for(mate)
    assert "Due today" in queue_of(client)
    earliest = FollowUpIndex.objects.get(reader=mate).bucket
    fixed_clock.shift(timedelta(days=1, hours=1))
    purge_expired()
    assert not FollowUpIndex.objects.filter(bucket=earliest).exists()
    assert "1 more due later." in queue_of(client_for(mate))
