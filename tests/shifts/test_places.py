from django.utils import timezone

from crisisline.roles import RESPONDER
from shifts.models import Shift, Slot, SwapOffer
from tests.conftest import client_for
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
    listed = body.split('<ul class="plain places">', 1)[1].split("</ul>")[0]
    assert "Line holder" not in listed  # (the filter offers every position)
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


def test_a_place_you_said_you_cannot_make_is_not_offered_back_to_you(
    as_responder, responder, responder_position
):
    shift = make_shift(in_hours(5), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/")
    claim = f"/places/{Slot.objects.get(shift=shift).pk}/claim/"
    assert claim not in as_responder.get("/places/").content.decode()
    assert claim not in as_responder.get("/oncall/").content.decode()
    teammate = client_for(make_person("mate", RESPONDER))
    assert claim in teammate.get("/places/").content.decode()  # urgent for everyone else
    assert claim in teammate.get("/oncall/").content.decode()
    body = as_responder.post(claim, follow=True).content.decode()
    assert "You gave this place up. If you can make it after all, ask a coordinator." in body


def test_places_at_your_monthly_maximum_are_not_offered(
    as_responder, responder, responder_position, time_machine
):
    """The demo's December: every place refused as over the limit was still listed."""
    from datetime import datetime

    zone = timezone.get_default_timezone()
    now = datetime(2031, 12, 1, 9, 0, tzinfo=zone)
    time_machine.move_to(now, tick=False)
    responder.max_shifts_per_month = 2
    responder.min_rest_hours = 0
    responder.save()
    for day in (2, 3):
        put(
            responder,
            make_shift(datetime(2031, 12, day, 9, tzinfo=zone), positions=[responder_position]),
            responder_position,
        )
    december = make_shift(datetime(2031, 12, 20, 9, tzinfo=zone), positions=[responder_position])
    january = make_shift(datetime(2032, 1, 2, 9, tzinfo=zone), positions=[responder_position])
    client = client_for(responder)  # signed in at the moved clock
    listed = _claim_paths(client.get("/places/").content.decode())
    assert listed == {f"/places/{Slot.objects.get(shift=january).pk}/claim/"}
    body = client.post(f"/places/{Slot.objects.get(shift=december).pk}/claim/", follow=True)
    assert "You&#x27;d go over your 2 shifts this month." in body.content.decode()


def _open_places(count: int, *positions, offset: float = 10) -> None:
    from datetime import timedelta

    first = in_hours(offset)
    for number in range(count):
        make_shift(first + timedelta(hours=13 * number), hours=2, positions=positions)


def test_open_places_come_a_page_at_a_time_with_a_link_to_more(
    as_responder, responder, responder_position
):
    _open_places(45, responder_position)
    body = as_responder.get("/places/").content.decode()
    assert len(_claim_paths(body)) == 20
    assert "Page 1 of 3 (45 places in all)" in body
    assert '<a class="button" href="?page=2">More places ›</a>' in body
    seen = _claim_paths(body)
    for page in (2, 3):
        body = as_responder.get(f"/places/?page={page}").content.decode()
        assert not seen & _claim_paths(body)
        seen |= _claim_paths(body)
    assert len(seen) == 45
    assert "More places ›" not in body and 'href="?page=2">‹ Sooner places</a>' in body
    # A page past the end, or no number at all, shows a real page rather than an error.
    assert "Page 3 of 3" in as_responder.get("/places/?page=99").content.decode()
    assert "Page 1 of 3" in as_responder.get("/places/?page=x").content.decode()


def test_few_places_need_no_pager(as_responder, responder_position):
    _open_places(3, responder_position)
    body = as_responder.get("/places/").content.decode()
    assert len(_claim_paths(body)) == 3 and "More places" not in body and "Page 1" not in body


def test_open_places_read_the_same_number_of_queries_for_few_or_many(
    responder, responder_position, holder_position
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(responder)
    _open_places(2, responder_position)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/places/").status_code == 200
    _open_places(110, holder_position, responder_position, offset=11)
    giver = make_person("giver")
    for shift in Shift.objects.all()[:40]:
        SwapOffer.objects.create(assignment=put(giver, shift, responder_position), offered_by=giver)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/places/").status_code == 200
    assert len(few) == len(many), [q["sql"][:80] for q in many]


def test_open_places_filter_by_day_and_position_and_keep_the_filter_page_to_page(
    as_responder, responder_position, db
):
    from django.utils import timezone

    from tests.shifts.conftest import make_position

    backup = make_position("Backup", 1, 1)
    _open_places(45, responder_position, backup)  # two shifts a day, 13 hours apart
    first = Shift.objects.order_by("start").first()
    day = timezone.localtime(first.start).date()
    on_that_day = Shift.objects.filter(
        pk__in=[s.pk for s in Shift.objects.all() if timezone.localtime(s.start).date() == day]
    )
    body = as_responder.get("/places/", {"day": day.isoformat()}).content.decode()
    expected = {f"/places/{slot.pk}/claim/" for s in on_that_day for slot in s.slots.all()}
    assert _claim_paths(body) == expected
    body = as_responder.get("/places/", {"position": backup.pk}).content.decode()
    assert "Page 1 of 3 (45 places in all)" in body
    assert f'href="?position={backup.pk}&amp;page=2">More places ›</a>' in body
    second = as_responder.get("/places/", {"position": backup.pk, "page": 2}).content.decode()
    backup_claims = {f"/places/{slot.pk}/claim/" for slot in Slot.objects.filter(position=backup)}
    assert _claim_paths(body) | _claim_paths(second) <= backup_claims
    far = day.replace(year=day.year + 1).isoformat()
    assert "No open places you can take on this day" in (
        as_responder.get("/places/", {"day": far}).content.decode()
    )
    refused = as_responder.get("/places/", {"day": "nonsense"}).content.decode()
    assert "Choose a real day and a position from the list." in refused
    assert "Page 1 of 5 (90 places in all)" in refused  # the filter is ignored, not an error
