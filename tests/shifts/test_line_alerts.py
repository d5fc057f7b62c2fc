"""Line-holder places at risk in the next 48 hours are flagged first, in red."""

from crisisline.models import User
from crisisline.roles import RESPONDER
from shifts.line_alerts import DEACTIVATED, EMPTY, NO_PHONE, line_gaps
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_shift, put


def test_an_empty_line_holder_place_soon_is_a_gap(holder_position):
    make_shift(in_hours(10), positions=[holder_position])
    make_shift(in_hours(60), positions=[holder_position])  # beyond 48 hours: not yet
    [gap] = line_gaps()
    assert gap.kind == EMPTY and "nobody holds Line holder" in gap.message


def test_a_holder_without_a_phone_is_a_gap(holder_position):
    shift = make_shift(in_hours(10), positions=[holder_position])
    put(make_person("ana", RESPONDER, display_name="Ana", phone=""), shift, holder_position)
    [gap] = line_gaps()
    assert gap.kind == NO_PHONE
    assert "Ana holds Line holder but has no phone number calls can reach." in gap.message


def test_a_holder_with_an_unreadable_phone_is_a_gap(holder_position):
    shift = make_shift(in_hours(10), positions=[holder_position])
    put(make_person("ana", RESPONDER, phone="call me"), shift, holder_position)
    assert [gap.kind for gap in line_gaps()] == [NO_PHONE]


def test_a_running_shift_whose_holder_is_deactivated_is_a_gap(holder_position):
    shift = make_shift(in_hours(-1), positions=[holder_position])
    holder = make_person("ana", RESPONDER, display_name="Ana")
    put(holder, shift, holder_position)
    assert line_gaps() == []
    User.objects.filter(pk=holder.pk).update(is_active=False)  # e.g. in the admin
    [gap] = line_gaps()
    assert gap.kind == DEACTIVATED and gap.running
    assert "Now: Ana holds Line holder but is deactivated." in gap.message


def test_a_reachable_holder_is_no_gap_and_cancelled_shifts_do_not_count(holder_position):
    shift = make_shift(in_hours(10), positions=[holder_position])
    put(make_person("ana", RESPONDER), shift, holder_position)
    make_shift(in_hours(20), positions=[holder_position], cancelled=True)
    assert line_gaps() == []


def test_oncall_shows_the_gap_first_and_no_call_links_for_a_deactivated_holder(
    as_responder, holder_position
):
    shift = make_shift(in_hours(-1), positions=[holder_position])
    holder = make_person("ana", RESPONDER, display_name="Ana Holder", phone="+1 555 010 7777")
    put(holder, shift, holder_position)
    User.objects.filter(pk=holder.pk).update(is_active=False)
    page = as_responder.get("/oncall/").content.decode()
    # Under the page's heading, the gap comes before who is on call.
    alert = page.index('class="line-alerts"')
    assert page.index("<h1>On call now") < alert < page.index("<h2>Who is on call now")
    assert "but is deactivated" in page
    assert "tel:" not in page  # nobody to call: the holder is gone
    assert "Nobody as Line holder" in page


def test_coverage_and_dashboard_flag_the_gap(as_coordinator, holder_position):
    make_shift(in_hours(10), positions=[holder_position])
    coverage = as_coordinator.get("/roster/coverage/").content.decode()
    assert 'class="line-alerts"' in coverage and "nobody holds Line holder" in coverage
    assert coverage.index("line-alerts") < coverage.index('class="summary"')
    dashboard = as_coordinator.get("/home/").content.decode()
    assert 'class="line-alerts"' in dashboard and "nobody holds Line holder" in dashboard


def test_no_alert_when_all_is_well(as_coordinator, holder_position):
    shift = make_shift(in_hours(10), positions=[holder_position])
    put(make_person("ana", RESPONDER), shift, holder_position)
    assert 'class="line-alerts"' not in as_coordinator.get("/home/").content.decode()
