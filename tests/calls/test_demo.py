from io import StringIO

from calls import demo
from calls.models import CallNote, Tally
from crisisline.management.commands.load_demo import DEMO_PASSWORD
from crisisline.roles import RESPONDER
from tests.calls.conftest import read_body
from tests.factory import make_person


def test_demo_notes_and_totals_load_once(db):
    for username in ("responder", "marisol"):
        person = make_person(username, RESPONDER)
        person.set_password(DEMO_PASSWORD)
        person.save()
    demo.load(StringIO())
    notes, counters = CallNote.objects.count(), Tally.objects.count()
    assert notes == 3 and counters > 12
    bodies = {read_body(n, n.author, DEMO_PASSWORD)[:4] for n in CallNote.objects.all()}
    assert bodies == {"Long", "Aske", "Poli"}
    demo.load(StringIO())
    assert (CallNote.objects.count(), Tally.objects.count()) == (notes, counters)
