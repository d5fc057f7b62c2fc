from datetime import datetime, timedelta

from django.utils import timezone

from crisisline.models import Skill
from shifts.models import Assignment, Slot, TimeOff
from tests.conftest import client_for
from tests.shifts.conftest import in_hours, make_shift, put, slot_of


def claim(client, slot, **extra):
    return client.post(f"/places/{slot.pk}/claim/", extra, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_claiming_a_free_place_puts_you_on_the_shift(as_responder, responder, responder_position):
    shift = make_shift(in_hours(48), positions=[responder_position])
    response = claim(as_responder, slot_of(shift, responder_position))
    assert response.redirect_chain[-1][0] == "/me/shifts/"
    assert "You are on" in messages_of(response)[0]
    assert Assignment.objects.filter(person=responder, shift=shift).exists()
    assert slot_of(shift, responder_position).taken == 1


def test_full_place_is_refused_with_just_taken(as_responder, coordinator, responder_position):
    responder_position.max_people = 1
    responder_position.save()
    shift = make_shift(in_hours(48), positions=[responder_position])
    put(coordinator, shift, responder_position)
    response = claim(as_responder, slot_of(shift, responder_position))
    assert "just taken" in messages_of(response)[0]
    assert Assignment.objects.count() == 1


def test_cancelled_and_past_shifts_cannot_be_claimed(as_responder, responder_position):
    cancelled = make_shift(in_hours(48), positions=[responder_position], cancelled=True)
    past = make_shift(in_hours(-10), positions=[responder_position])
    assert (
        "cancelled" in messages_of(claim(as_responder, slot_of(cancelled, responder_position)))[0]
    )
    assert (
        "already started" in messages_of(claim(as_responder, slot_of(past, responder_position)))[0]
    )
    assert not Assignment.objects.exists()


def test_unqualified_claim_is_refused(as_responder, holder_position):
    shift = make_shift(in_hours(48), positions=[holder_position])
    response = claim(as_responder, slot_of(shift, holder_position))
    assert "needs Line holder training" in messages_of(response)[0]
    assert not Assignment.objects.exists()


def test_qualified_by_a_language(as_responder, responder, responder_position):
    spanish = Skill.objects.create(name="Spanish", kind=Skill.Kind.LANGUAGE)
    responder_position.required_skill = spanish
    responder_position.save()
    shift = make_shift(in_hours(48), positions=[responder_position])
    assert (
        "needs Spanish" in messages_of(claim(as_responder, slot_of(shift, responder_position)))[0]
    )
    responder.skills.add(spanish)
    claim(as_responder, slot_of(shift, responder_position))
    assert Assignment.objects.filter(person=responder).exists()


def test_never_in_two_overlapping_shifts(as_responder, responder, responder_position):
    first = make_shift(in_hours(48), hours=4, positions=[responder_position])
    overlapping = make_shift(in_hours(50), hours=4, positions=[responder_position])
    put(responder, first, responder_position)
    response = claim(as_responder, slot_of(overlapping, responder_position))
    assert "You already have a shift at that time." in messages_of(response)[0]
    assert slot_of(overlapping, responder_position).taken == 0


def test_your_own_limits_are_respected(responder, responder_position, time_machine):
    # Fixed days in the middle of a month, so both shifts always fall in the same month.
    zone = timezone.get_default_timezone()
    now = datetime(2031, 6, 10, 9, 0, tzinfo=zone)
    time_machine.move_to(now, tick=False)
    client = client_for(responder)
    responder.min_rest_hours = 10
    responder.save()
    first = make_shift(
        datetime(2031, 6, 12, 9, 0, tzinfo=zone), hours=4, positions=[responder_position]
    )
    too_soon = make_shift(
        datetime(2031, 6, 12, 17, 0, tzinfo=zone), hours=4, positions=[responder_position]
    )
    put(responder, first, responder_position)
    response = claim(client, slot_of(too_soon, responder_position))
    assert "less than 10 hours of rest" in messages_of(response)[0]

    responder.min_rest_hours = 0
    responder.max_shifts_per_month = 1
    responder.save()
    response = claim(client, slot_of(too_soon, responder_position))
    assert messages_of(response) == [
        "You'd go over your 1 shifts this month. Ask a coordinator, "
        "or raise your limit on your profile."
    ]
    assert Assignment.objects.filter(person=responder).count() == 1

    responder.max_shifts_per_month = 2
    responder.save()
    claim(client, slot_of(too_soon, responder_position))
    assert Assignment.objects.filter(person=responder).count() == 2


def test_time_off_blocks_claims(as_responder, responder, responder_position):
    shift = make_shift(in_hours(72), positions=[responder_position])
    day = timezone.localtime(shift.start).date()
    TimeOff.objects.create(person=responder, first_day=day, last_day=day + timedelta(days=1))
    response = claim(as_responder, slot_of(shift, responder_position))
    assert "time off" in messages_of(response)[0]
    assert not Assignment.objects.exists()


def test_unknown_place_is_404(as_responder, db):
    assert as_responder.post("/places/999/claim/").status_code == 404


def test_claiming_an_urgent_place_clears_its_urgency(as_responder, responder_position):
    shift = make_shift(in_hours(5), positions=[responder_position])
    Slot.objects.filter(shift=shift).update(urgent_since=timezone.now())
    claim(as_responder, slot_of(shift, responder_position))
    assert slot_of(shift, responder_position).urgent_since is None


def test_the_database_refuses_overbooking_even_without_the_checks(responder, responder_position):
    import pytest
    from django.db import IntegrityError, transaction
    from django.db.models import F

    shift = make_shift(in_hours(48), positions=[responder_position])
    slot = slot_of(shift, responder_position)
    Slot.objects.filter(pk=slot.pk).update(taken=F("capacity"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(taken=F("taken") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(slot=slot, shift=shift, person=responder)
        Assignment.objects.create(slot=slot, shift=shift, person=responder)
