from io import StringIO

from django.utils import timezone

from crisisline.models import Skill
from crisisline.roles import RESPONDER
from shifts import demo
from shifts.models import Assignment, Position, Shift
from tests.factory import grant, make_person


def test_demo_loads_twice_and_has_someone_on_call_now(db):
    holder = Skill.objects.create(name="Line holder training")
    calm = Skill.objects.create(name="De-escalation")
    for name in ["jordan", "marisol", "lupe", "kai"]:
        grant(make_person(name, RESPONDER), holder, calm)
    demo.load(StringIO(), days=3)
    shifts = Shift.objects.count()
    demo.load(StringIO(), days=3)
    assert Shift.objects.count() == shifts
    now = timezone.now()
    assert Assignment.objects.filter(shift__start__lte=now, shift__end__gt=now).count() == 3
    assert Assignment.objects.filter(shift__start__gt=now).count() > 5
    # A teammate's debrief at check-out reaches the demo's debrief/backup place.
    assert list(Position.objects.filter(takes_debriefs=True).values_list("name", flat=True)) == [
        "Debrief / backup"
    ]
