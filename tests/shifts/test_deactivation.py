"""Offboarding someone (crisisline's person_deactivated signal) reaches their shifts."""

from crisisline.roles import RESPONDER
from shifts.models import Assignment, RosterRules, ShiftPreferences, SwapOffer
from tests.factory import grant, make_person
from tests.shifts.conftest import in_hours, make_shift, put, slot_of


def test_deactivating_someone_frees_their_places_to_come(
    as_coordinator, responder, responder_position
):
    RosterRules.objects.create(pk=1, release_notice_hours=48)
    past = put(
        responder, make_shift(in_hours(-30), positions=[responder_position]), responder_position
    )
    soon = make_shift(in_hours(10), positions=[responder_position])
    later = make_shift(in_hours(100), positions=[responder_position])
    put(responder, soon, responder_position)
    put(responder, later, responder_position)
    ShiftPreferences.of(responder).new_feed_token()

    as_coordinator.post(f"/people/{responder.pk}/deactivate/")

    assert list(Assignment.objects.filter(person=responder)) == [past]  # history stays
    assert slot_of(soon, responder_position).taken == 0
    assert slot_of(soon, responder_position).urgent_since is not None
    assert slot_of(later, responder_position).urgent_since is None
    assert ShiftPreferences.objects.get(person=responder).feed_token_hash == ""


def test_a_swap_they_were_taking_goes_back_on_offer(responder, responder_position):
    giver = make_person("giver", RESPONDER)
    assignment = put(
        giver, make_shift(in_hours(50), positions=[responder_position]), responder_position
    )
    offer = SwapOffer.objects.create(
        assignment=assignment, offered_by=giver, taken_by=responder, status=SwapOffer.Status.PENDING
    )
    responder.deactivate()
    offer.refresh_from_db()
    assert offer.status == SwapOffer.Status.OPEN and offer.taken_by is None


def test_the_confirmation_lists_the_places_it_will_free(
    as_coordinator, responder, responder_position, holder_position
):
    running = make_shift(in_hours(-1), positions=[holder_position])
    put(responder, running, holder_position)
    later = make_shift(in_hours(30), positions=[responder_position])
    put(responder, later, responder_position)
    page = as_coordinator.get(f"/people/{responder.pk}/deactivate/").content.decode()
    assert "Places this frees" in page
    assert page.count("Line holder") == 1 and "running now" in page
    assert "Responder" in page
    assert Assignment.objects.filter(person=responder).count() == 2  # nothing freed yet


def test_deactivating_the_holder_mid_shift_frees_the_line_and_asks_who_takes_it(
    as_coordinator, responder, holder_position
):
    running = make_shift(in_hours(-1), positions=[holder_position])
    put(responder, running, holder_position)
    response = as_coordinator.post(f"/people/{responder.pk}/deactivate/", follow=True)
    page = response.content.decode()
    slot = slot_of(running, holder_position)
    assert response.redirect_chain[-1][0] == f"/roster/slots/{slot.pk}/assign/"
    assert "1 place freed:" in page and "Line holder" in page
    assert "choose who takes it now" in page
    assert slot.taken == 0 and slot.urgent_since is not None
    assert not Assignment.objects.filter(person=responder).exists()


def test_the_result_says_what_was_freed(as_coordinator, responder, responder_position):
    put(responder, make_shift(in_hours(30), positions=[responder_position]), responder_position)
    put(responder, make_shift(in_hours(80), positions=[responder_position]), responder_position)
    response = as_coordinator.post(f"/people/{responder.pk}/deactivate/", follow=True)
    assert "2 places freed:" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/people/"


def test_the_freed_line_is_handed_to_someone_now_and_calls_reach_them(
    as_coordinator, client, responder, holder_position
):
    running = make_shift(in_hours(-1), positions=[holder_position])
    put(responder, running, holder_position)
    as_coordinator.post(f"/people/{responder.pk}/deactivate/")
    body = as_coordinator.post("/roster/rules/forwarding/").content.decode()
    link = body[body.index("/forward/") : body.index('"', body.index("/forward/"))]
    assert client.get(link).content.decode() == "unstaffed\n"
    cover = make_person("cover", RESPONDER, phone="+1 555 010 4242")
    grant(cover, holder_position.required_skill)
    slot = slot_of(running, holder_position)
    as_coordinator.post(f"/roster/slots/{slot.pk}/assign/", {"person": cover.pk})
    assert client.get(link).content.decode() == "open\n+15550104242\n"
