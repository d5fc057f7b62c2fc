"""Notices: coordinators post, responders see them on /oncall/ until read or expired
(14 days at most), the identifier check applies, and the purge deletes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.models import Notice, NoticeRead
from calls.purge import purge_expired
from tests.calls.conftest import client_for

NOON = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOON, tick=True) as traveller:
        yield traveller


def post(client, text, days=3, **extra):
    last = (timezone.localdate() + timedelta(days=days)).isoformat()
    return client.post("/notices/", {"text": text, "last_day": last, **extra})


def test_a_coordinator_posts_and_responders_see_it_until_read(coordinator, responder):
    response = post(client_for(coordinator), "The clinic on the corner is closed this week.")
    assert response.status_code == 302
    reader = client_for(responder)
    assert "clinic on the corner is closed" in reader.get("/oncall/").content.decode()
    notice = Notice.objects.get()
    assert reader.post(f"/notices/{notice.pk}/read/").status_code == 302
    assert "clinic on the corner" not in reader.get("/oncall/").content.decode()
    assert NoticeRead.objects.count() == 1


def test_at_most_fourteen_days_and_not_in_the_past(coordinator):
    client = client_for(coordinator)
    refused = post(client, "Too long.", days=14).content.decode()
    last = timezone.localdate() + timedelta(days=13)
    assert f"at most 14 days: choose a day by {last:%A} {last.day} {last:%B}" in refused
    assert "in the past" in post(client, "Too late.", days=-1).content.decode()
    assert post(client, "Just right.", days=13).status_code == 302
    assert Notice.objects.count() == 1


def test_the_identifier_check_applies(coordinator):
    client = client_for(coordinator)
    refused = post(client, "Call Ana back on 555-010-0199.")
    assert refused.status_code == 200 and "could identify someone" in refused.content.decode()
    assert not Notice.objects.exists()
    assert post(client, "Call Ana back on 555-010-0199.", keep_identifiers="on").status_code == 302


def test_a_notice_posted_by_mistake_is_withdrawn_after_asking(coordinator, responder):
    post(client_for(coordinator), "Closed on Friday.", keep_identifiers="on")
    notice = Notice.objects.get()
    reader = client_for(responder)
    reader.post(f"/notices/{notice.pk}/read/")
    withdraw = f"/notices/{notice.pk}/withdraw/"
    poster = client_for(coordinator)
    assert withdraw in poster.get("/notices/").content.decode()
    question = poster.get(withdraw).content.decode()
    assert "Withdraw this notice?" in question and Notice.objects.exists()
    done = poster.post(withdraw, follow=True).content.decode()
    assert "Notice withdrawn." in done and "Closed on Friday." not in done
    assert not Notice.objects.exists() and not NoticeRead.objects.exists()
    assert poster.post(withdraw).status_code == 404  # twice: nothing left to withdraw


def test_notices_expire_by_themselves_and_the_purge_deletes_them(
    coordinator, responder, fixed_clock
):
    post(client_for(coordinator), "Safety alert for tonight.", days=0)
    reader = client_for(responder)
    reader.post(f"/notices/{Notice.objects.get().pk}/read/")
    fixed_clock.shift(timedelta(days=1))
    assert "Safety alert" not in client_for(coordinator).get("/notices/").content.decode()
    purge_expired()
    assert not Notice.objects.exists() and not NoticeRead.objects.exists()


def test_only_coordinators_post_and_only_responders_mark_read(
    as_responder, as_trainer, coordinator, client
):
    assert client.get("/notices/").status_code == 302
    assert as_responder.get("/notices/").status_code == 403
    assert post(as_responder, "Nope.").status_code == 403
    assert as_trainer.post("/notices/1/read/").status_code == 403
    assert as_responder.post("/notices/999/read/").status_code == 404
    assert as_responder.get("/notices/999/read/").status_code == 405
    assert not Notice.objects.exists()


def test_oncall_keeps_its_query_count_with_fifty_notices(coordinator, responder):
    reader = client_for(responder)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get("/oncall/").status_code == 200
        return len(captured)

    post(client_for(coordinator), "Notice 0.")
    one = queries()
    for number in range(1, 50):
        Notice.objects.create(
            text=f"Notice {number}.",
            posted_at=timezone.now(),
            expires_at=timezone.now() + timedelta(days=3),
        )
    assert queries() == one
    assert reader.get("/oncall/").content.decode().count("Mark read") == 50


def test_the_newest_three_are_open_and_the_rest_folded_each_marked_read_alone(
    coordinator, responder
):
    for number in range(5):
        Notice.objects.create(
            text=f"Notice {number}.",
            posted_at=timezone.now() + timedelta(minutes=number),
            expires_at=timezone.now() + timedelta(days=3),
        )
    reader = client_for(responder)
    page = reader.get("/oncall/").content.decode()
    shown, folded = page.split('<details id="more-notices">')
    assert [f"Notice {n}." in shown for n in (4, 3, 2, 1, 0)] == [True, True, True, False, False]
    assert "2 more notices</summary>" in folded and "Notice 1." in folded and "Notice 0." in folded
    oldest = Notice.objects.get(text="Notice 0.")
    # One form: the folded notice's own button says which notice was read.
    assert f'formaction="/notices/{oldest.pk}/read/"' in folded
    assert reader.post(f"/notices/{oldest.pk}/read/").status_code == 302
    page = reader.get("/oncall/").content.decode()
    assert "Notice 0." not in page and "1 more notice</summary>" in page
    assert NoticeRead.objects.get().notice == oldest


def test_a_refused_notice_says_why_at_the_top_and_links_to_the_field(coordinator):
    response = post(client_for(coordinator), "")
    page = response.content.decode()
    summary = page.split('<div class="message error" role="alert"><p>')[1].split("</div>")[0]
    assert "The notice was not posted:" in summary
    assert 'href="#id_text"' in summary and 'id="id_text"' in page
    assert not Notice.objects.exists()
