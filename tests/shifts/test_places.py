from django.utils import timezone

from shifts.models import Slot, SwapOffer
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_shift, put


def test_lists_open_places_you_qualify_for_urgent_first(
    as_responder, holder_position, responder_position
):
    plain = make_shift(in_hours(20), positions=[responder_position, holder_position])
    urgent = make_shift(in_hours(40), positions=[responder_position])
    Slot.objects.filter(shift=urgent).update(urgent_since=timezone.now())
    body = as_responder.get("/places/").content.decode()
    assert body.index("Urgent") < body.index(
        timezone.localtime(plain.start).strftime("%a %-d %b %H:%M")
    )
    assert "Line holder" not in body.split("Open places", 2)[2].split("Shifts offered")[0]
    assert "2 places left" in body


def test_full_cancelled_past_and_own_shifts_are_not_listed(
    as_responder, responder, responder_position
):
    full = make_shift(in_hours(20), positions=[responder_position])
    put(make_person("a"), full, responder_position)
    put(make_person("b"), full, responder_position)
    make_shift(in_hours(22), positions=[responder_position], cancelled=True)
    make_shift(in_hours(-22), positions=[responder_position])
    mine = make_shift(in_hours(30), positions=[responder_position])
    put(responder, mine, responder_position)
    assert (
        "No open places you qualify for right now." in as_responder.get("/places/").content.decode()
    )


def test_offered_swaps_are_listed_for_qualified_teammates(
    as_responder, responder_position, holder_position
):
    giver = make_person("giver", display_name="Gia Giver")
    shift = make_shift(in_hours(20), positions=[responder_position, holder_position])
    offer = SwapOffer.objects.create(
        assignment=put(giver, shift, responder_position), offered_by=giver
    )
    holder_shift = make_shift(in_hours(50), positions=[holder_position])
    SwapOffer.objects.create(assignment=put(giver, holder_shift, holder_position), offered_by=giver)
    body = as_responder.get("/places/").content.decode()
    assert "from Gia Giver" in body
    assert f'action="/swaps/{offer.pk}/take/"' in body
    assert body.count("Take this shift") == 1
