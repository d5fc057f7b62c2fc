from __future__ import annotations

import csv
import io
from datetime import date

from calls.models import Tally
from tests.calls.conftest import write_note

URL = "/notes/evaluation/"
CSV_URL = "/notes/evaluation.csv"


def tally(week: date, count: int, **fields) -> Tally:
    values = {"kind": "crisis-acute", "response": "phone", "police": "none", "follow_up": False}
    values.update(fields)
    return Tally.objects.create(week=week, count=count, **values)


def test_coordinator_sees_weekly_and_monthly_bars(as_coordinator, django_assert_max_num_queries):
    tally(date(2030, 3, 4), 4)
    tally(date(2030, 3, 4), 2, kind="emergency", police="unsolicited", follow_up=True)
    tally(date(2030, 3, 18), 3)
    tally(date(2030, 4, 1), 6, response="in-person")
    with django_assert_max_num_queries(8):
        response = as_coordinator.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "15 calls counted in all." in html and "2 needed follow-up." in html
    # Weekly bars, with the empty week between shown as zero.
    assert "4 Mar 2030" in html and "11 Mar 2030" in html and "18 Mar 2030" in html
    assert html.count("<svg") == 5 + 2 + 8 + 4 + 3  # weeks, months, kinds, responses, police
    assert '<rect x="0" y="0" width="100" height="6">' in html  # the largest bar
    assert '<rect x="0" y="0" width="0" height="6">' in html  # the empty week
    # March: 9, April: 6 → 100 % and 67 %.
    assert "March 2030" in html and 'width="67"' in html
    assert "style=" not in html and "<script>" not in html


def test_notes_feed_the_totals_and_nothing_links_back(as_coordinator, responder):
    write_note(responder, kind="aftercare")
    row = Tally.objects.get(count__gt=0)
    assert row.count == 1 and row.kind == "aftercare"
    assert {f.name for f in Tally._meta.get_fields()} == {
        "id",
        "week",
        "kind",
        "response",
        "police",
        "follow_up",
        "count",
    }
    assert "1 call counted in all." in as_coordinator.get(URL).content.decode()


def test_empty(as_coordinator):
    assert "No calls have been counted yet." in as_coordinator.get(URL).content.decode()


def test_csv_holds_the_counters_only(as_coordinator):
    tally(date(2030, 3, 4), 4, follow_up=True)
    response = as_coordinator.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["week_starting", "kind", "response", "police", "follow_up", "count"],
        ["2030-03-04", "crisis-acute", "phone", "none", "yes", "4"],
    ]


def test_access(client, as_responder, as_trainer, as_coordinator, db):
    for url in (URL, CSV_URL):
        assert client.get(url).status_code == 302
        assert as_responder.get(url).status_code == 403
        assert as_trainer.get(url).status_code == 403
        assert as_coordinator.post(url).status_code == 405
