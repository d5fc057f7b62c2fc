from io import StringIO

from calls import demo
from calls.models import CallNote, Tally
from crisisline.roles import RESPONDER
from tests.factory import make_person


def test_demo_notes_and_totals_load_once(db):
    for username in ("responder", "marisol"):
        make_person(username, RESPONDER)
    demo.load(StringIO())
    notes, counters = CallNote.objects.count(), Tally.objects.count()
    assert notes == 3 and counters > 12
    assert {note.body[:4] for note in CallNote.objects.all()} == {"Long", "Aske", "Poli"}
    demo.load(StringIO())
    assert (CallNote.objects.count(), Tally.objects.count()) == (notes, counters)
