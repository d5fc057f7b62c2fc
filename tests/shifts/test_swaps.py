from crisisline.roles import RESPONDER
from shifts.models import Assignment, RosterRules, SwapOffer
from tests.conftest import client_for
from tests.factory import grant, make_person
from tests.shifts.conftest import in_hours, make_shift, put


def offer_of(as_responder, responder, position, hours=30):
    shift = make_shift(in_hours(hours), positions=[position])
    assignment = put(responder, shift, position)
    response = as_responder.post(f"/me/shifts/{assignment.pk}/swap/", follow=True)
    assert "Offered for a swap." in response.content.decode()
    return SwapOffer.objects.get(assignment=assignment), assignment


def test_offer_and_take_a_swap(as_responder, responder, responder_position):
    offer, assignment = offer_of(as_responder, responder, responder_position)
    taker = make_person("taker", RESPONDER, display_name="Tai Taker")
    response = client_for(taker).post(f"/swaps/{offer.pk}/take/", follow=True)
    assert "Swapped: the shift is yours now." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.person == taker
    offer.refresh_from_db()
    assert offer.status == SwapOffer.Status.DONE


def test_offering_twice_is_refused(as_responder, responder, responder_position):
    _offer, assignment = offer_of(as_responder, responder, responder_position)
    response = as_responder.post(f"/me/shifts/{assignment.pk}/swap/", follow=True)
    assert "already offered" in response.content.decode()
    assert SwapOffer.objects.count() == 1


def test_unqualified_or_busy_people_cannot_take(
    as_responder, responder, holder_position, responder_position
):
    grant(responder, holder_position.required_skill)
    offer, assignment = offer_of(as_responder, responder, holder_position)
    unqualified = make_person("u", RESPONDER)
    response = client_for(unqualified).post(f"/swaps/{offer.pk}/take/", follow=True)
    assert "needs Line holder training, which you don&#x27;t hold yet" in response.content.decode()
    busy = make_person("busy", RESPONDER)
    grant(busy, holder_position.required_skill)
    put(
        busy,
        make_shift(assignment.shift.start, hours=1, positions=[responder_position]),
        responder_position,
    )
    response = client_for(busy).post(f"/swaps/{offer.pk}/take/", follow=True)
    assert "You already have a shift at that time." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.person == responder
    offer.refresh_from_db()
    assert offer.status == SwapOffer.Status.OPEN


def test_own_offer_and_taken_offers_cannot_be_taken(as_responder, responder, responder_position):
    offer, _ = offer_of(as_responder, responder, responder_position)
    assert (
        "This is your own shift."
        in as_responder.post(f"/swaps/{offer.pk}/take/", follow=True).content.decode()
    )
    client_for(make_person("first", RESPONDER)).post(f"/swaps/{offer.pk}/take/")
    response = client_for(make_person("second", RESPONDER)).post(
        f"/swaps/{offer.pk}/take/", follow=True
    )
    assert "just taken or withdrawn" in response.content.decode()


def test_withdraw_an_offer(as_responder, responder, responder_position):
    offer, _ = offer_of(as_responder, responder, responder_position)
    as_responder.post(f"/swaps/{offer.pk}/withdraw/")
    offer.refresh_from_db()
    assert offer.status == SwapOffer.Status.WITHDRAWN
    other = make_person("o", RESPONDER)
    assert client_for(other).post(f"/swaps/{offer.pk}/withdraw/").status_code == 404


def test_coordinator_approval(as_responder, as_coordinator, responder, responder_position):
    RosterRules.objects.create(pk=1, swaps_need_approval=True)
    offer, assignment = offer_of(as_responder, responder, responder_position)
    taker = make_person("taker", RESPONDER)
    response = client_for(taker).post(f"/swaps/{offer.pk}/take/", follow=True)
    assert "A coordinator will approve the swap." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.person == responder
    assert "Swaps (1)" in as_coordinator.get("/roster/").content.decode()
    body = as_coordinator.get("/roster/swaps/").content.decode()
    assert "Sam Responder to Taker" in body
    assert (
        "Choose approve or decline."
        in as_coordinator.post(
            f"/roster/swaps/{offer.pk}/decide/", {"decision": "maybe"}, follow=True
        ).content.decode()
    )
    as_coordinator.post(f"/roster/swaps/{offer.pk}/decide/", {"decision": "approve"})
    assignment.refresh_from_db()
    assert assignment.person == taker
    response = as_coordinator.post(
        f"/roster/swaps/{offer.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "not waiting for approval" in response.content.decode()


def test_coordinator_declines(as_responder, as_coordinator, responder, responder_position):
    RosterRules.objects.create(pk=1, swaps_need_approval=True)
    offer, _assignment = offer_of(as_responder, responder, responder_position)
    client_for(make_person("taker", RESPONDER, display_name="Tai Taker")).post(
        f"/swaps/{offer.pk}/take/"
    )
    swaps = as_coordinator.get("/roster/swaps/").content.decode()
    assert f'href="/roster/swaps/{offer.pk}/decide/"' in swaps  # Decline asks first
    question = as_coordinator.get(f"/roster/swaps/{offer.pk}/decide/").content.decode()
    assert "Decline the swap of Responder on" in question
    assert "Sam Responder keeps the place and Tai Taker is not on the shift." in question
    assert 'name="decision" value="decline"' in question
    offer.refresh_from_db()
    assert offer.status == SwapOffer.Status.PENDING  # asking changed nothing
    as_coordinator.post(f"/roster/swaps/{offer.pk}/decide/", {"decision": "decline"})
    offer.refresh_from_db()
    assert offer.status == SwapOffer.Status.DECLINED
    assert Assignment.objects.get().person == responder


def test_a_swap_on_a_cancelled_shift_is_not_offered_and_cannot_be_taken(
    as_responder, responder, responder_position
):
    offer, assignment = offer_of(as_responder, responder, responder_position)
    taker = make_person("taker", RESPONDER, display_name="Tai Taker")
    as_taker = client_for(taker)
    assert f"/swaps/{offer.pk}/take/" in as_taker.get("/places/").content.decode()
    assignment.shift.cancelled = True
    assignment.shift.save()
    assert f"/swaps/{offer.pk}/take/" not in as_taker.get("/places/").content.decode()
    body = as_taker.post(f"/swaps/{offer.pk}/take/", follow=True).content.decode()
    assert "This shift is cancelled." in body
    assignment.refresh_from_db()
    assert assignment.person == responder


def test_leaving_a_place_a_swap_has_handed_on_is_refused_not_a_404(
    as_responder, responder, responder_position
):
    offer, assignment = offer_of(as_responder, responder, responder_position)
    client_for(make_person("taker", RESPONDER)).post(f"/swaps/{offer.pk}/take/")
    for action in ("release", "cant-make-it", "swap"):
        response = as_responder.post(f"/me/shifts/{assignment.pk}/{action}/", follow=True)
        assert response.status_code == 200
        assert "This place was already given up or handed on." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.person.username == "taker"
    # Someone else's place that was never yours is still not found.
    other = client_for(make_person("stranger", RESPONDER))
    assert other.post(f"/me/shifts/{assignment.pk}/release/").status_code == 404


def test_a_swap_awaiting_approval_shows_on_both_peoples_shifts(
    as_responder, responder, responder_position
):
    RosterRules.objects.create(pk=1, swaps_need_approval=True)
    offer, _assignment = offer_of(as_responder, responder, responder_position)
    taker = make_person("taker", RESPONDER, display_name="Tai Taker")
    as_taker = client_for(taker)
    as_taker.post(f"/swaps/{offer.pk}/take/")
    theirs = as_taker.get("/me/shifts/").content.decode()
    assert "You have no upcoming shifts." not in theirs
    assert "Waiting for a coordinator" in theirs
    assert "You took this swap from Sam Responder." in theirs
    mine = as_responder.get("/me/shifts/").content.decode()
    assert "Swap taken, waiting for a coordinator." in mine
    as_taker.logout()
    offer.status = SwapOffer.Status.DECLINED
    offer.save()
    assert "You have no upcoming shifts." in client_for(taker).get("/me/shifts/").content.decode()
