"""A seizure after every follow-up action finds nothing a note said: not in the
database (the queue's state is sealed inside the note; what became of a gone note
holds no content), not in the keyring, not in the logs."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from calls.models import NoteEnding, WeeklyCount
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, give_keys, write_note
from tests.calls.test_seizure import copy_database, files_holding
from tests.factory import make_person


# Outside a test transaction, as every seizure test: SQLite's backup of the in-memory
# database waits forever for a transaction that the test itself holds open.
@pytest.mark.django_db(transaction=True)
def test_follow_up_actions_leave_no_plaintext_on_disk(tmp_path, settings, caplog):
    author = make_person("author", RESPONDER)
    mate, third = make_person("mate", RESPONDER), make_person("third", RESPONDER)
    give_keys(third)
    canaries = [f"canary-{uuid.uuid4().hex}" for _ in range(3)]
    today = timezone.localdate()
    notes = [
        write_note(author, canary, follow_up_to=mate, follow_up_by=today) for canary in canaries
    ]
    client = client_for(mate)
    assert client.post(f"/notes/{notes[0].public_id}/unreachable/").status_code == 302
    assert client.post(f"/notes/{notes[1].public_id}/hand-on/", {"to": third.pk}).status_code == 302
    assert client.post(f"/notes/{notes[2].public_id}/done/").status_code == 302
    # Each page showing them still works for the readers left.
    assert canaries[0] in client.get(f"/notes/{notes[0].public_id}/").content.decode()
    assert client_for(third).get("/oncall/").status_code == 200
    assert NoteEnding.objects.count() == 3  # handed on (mate), done (author and mate)
    assert WeeklyCount.objects.get(measure="follow-up", value="done").count == 1

    copies = copy_database(tmp_path / "seized")
    log = tmp_path / "log.txt"
    log.write_text(caplog.text)
    found = files_holding(canaries, tmp_path / "seized", settings.KEYRING_DIR, log)
    assert found == [], found
    # The control: the same search finds a canary written in clear.
    (tmp_path / "seized" / "control.txt").write_text(canaries[0])
    assert files_holding(canaries, tmp_path / "seized") and copies
