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
    assert "No open places you can take right now." in as_responder.get("/places/").content.decode()


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


def _claim_paths(body: str) -> set[str]:
    import re

    return set(re.findall(r'action="(/places/\d+/claim/|/swaps/\d+/take/)"', body))


def test_places_and_swaps_a_claim_would_refuse_are_not_offered(
    as_responder, responder, responder_position
):
    """Not on a shift overlapping one of yours, nor in your time off (which covers
    whole local days); a cancelled shift of yours blocks nothing."""
    from datetime import datetime, time, timedelta

    from shifts.models import TimeOff
    from tests.shifts.conftest import slot_of

    responder.min_rest_hours = 0  # back to back is no clash (rest is tested on its own)
    responder.save()
    mine = make_shift(in_hours(50), hours=4, positions=[responder_position])
    put(responder, mine, responder_position)
    overlapping = make_shift(mine.start + timedelta(hours=2), positions=[responder_position])
    back_to_back = make_shift(mine.end, positions=[responder_position])
    cancelled_mine = make_shift(in_hours(80), positions=[responder_position], cancelled=True)
    put(responder, cancelled_mine, responder_position)
    under_cancelled = make_shift(cancelled_mine.start, hours=3, positions=[responder_position])

    away_day = timezone.localdate() + timedelta(days=6)
    TimeOff.objects.create(person=responder, first_day=away_day, last_day=away_day)
    zone = timezone.get_default_timezone()
    midnight = datetime.combine(away_day, time(0), tzinfo=zone)
    ends_at_away_start = make_shift(midnight - timedelta(hours=4), positions=[responder_position])
    in_time_off = make_shift(midnight + timedelta(hours=10), positions=[responder_position])
    into_time_off = make_shift(midnight - timedelta(hours=2), positions=[responder_position])
    after_time_off = make_shift(midnight + timedelta(days=1), positions=[responder_position])

    giver = make_person("giver", display_name="Gia Giver")
    swap_clash = SwapOffer.objects.create(
        assignment=put(giver, overlapping, responder_position), offered_by=giver
    )
    swap_away = SwapOffer.objects.create(
        assignment=put(giver, in_time_off, responder_position), offered_by=giver
    )
    swap_fine = SwapOffer.objects.create(
        assignment=put(giver, back_to_back, responder_position), offered_by=giver
    )

    def claim(shift):
        return f"/places/{slot_of(shift, responder_position).pk}/claim/"

    offered = {claim(s) for s in [back_to_back, under_cancelled, ends_at_away_start]}
    offered |= {claim(after_time_off), f"/swaps/{swap_fine.pk}/take/"}
    refused = {claim(s) for s in [mine, overlapping, in_time_off, into_time_off]}
    refused |= {f"/swaps/{swap_clash.pk}/take/", f"/swaps/{swap_away.pk}/take/"}
    assert _claim_paths(as_responder.get("/places/").content.decode()) == offered

    # What is not offered is indeed what a claim refuses.
    for shift in [overlapping, in_time_off, into_time_off]:
        as_responder.post(claim(shift))
    for offer in [swap_clash, swap_away]:
        as_responder.post(f"/swaps/{offer.pk}/take/")
    assert list(responder.assignments.values_list("shift", flat=True).order_by("pk")) == [
        mine.pk,
        cancelled_mine.pk,
    ]
    assert not refused & _claim_paths(as_responder.get("/places/").content.decode())
