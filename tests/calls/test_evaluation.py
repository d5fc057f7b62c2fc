from __future__ import annotations

import csv
import io
import re
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
    # weeks, months, kinds, responses, police, needs, check-out answers
    assert html.count("<svg") == 5 + 2 + 8 + 4 + 4 + 10 + 3
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
    tally(date(2030, 3, 4), 6, follow_up=True)
    response = as_coordinator.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["week_starting", "kind", "response", "police", "follow_up", "count"],
        ["2030-03-04", "crisis-acute", "phone", "none", "yes", "6"],
    ]


def test_crossed_counts_below_five_are_never_given_exactly(as_coordinator):
    tally(date(2030, 3, 4), 3, kind="emergency", police="called-by-team")
    tally(date(2030, 3, 11), 1, kind="emergency", police="called-by-team")
    tally(date(2030, 3, 4), 7, kind="prevention")
    html = as_coordinator.get(URL).content.decode()
    table = html.split('class="cross"', 1)[1].split("</table>", 1)[0]
    assert "fewer than 5" in table and ">4<" not in table and ">7<" in table
    # One attribute alone is not crossed: the police bars give the exact 4.
    assert "The team called emergency services" in html
    rows = list(csv.reader(io.StringIO(as_coordinator.get(CSV_URL).content.decode())))
    assert [row[-1] for row in rows[1:]] == ["fewer than 5", "7", "fewer than 5"]


def test_needs_and_completed_follow_ups_are_counted_alone(as_coordinator, responder):
    from calls.models import WeeklyCount

    write_note(responder, needs=["food", "housing"])
    write_note(responder, needs=["food"])
    counted = dict(
        WeeklyCount.objects.filter(measure="need", count__gt=0).values_list("value", "count")
    )
    assert counted == {"food": 2, "housing": 1}
    html = as_coordinator.get(URL).content.decode()
    assert "By need" in html and "0 follow-ups completed." in html


def test_the_team_writes_its_periodic_review_with_the_identifier_check(as_coordinator):
    from calls.models import TeamReview

    review = {
        "period": "october and november",
        "went_well": "Night shifts were covered.",
        "not_served": "People calling from 555-010-0199 about housing.",
        "refused": "Calls asking us to send police.",
    }
    refused = as_coordinator.post(f"{URL}review/", review)
    assert refused.status_code == 200 and "555-010-0199" in refused.content.decode()
    assert not TeamReview.objects.exists()
    review["not_served"] = "People calling about housing at night."
    saved = as_coordinator.post(f"{URL}review/", review)
    assert saved.status_code == 302 and saved["Location"] == URL
    assert "october and november" in as_coordinator.get(URL).content.decode()
    assert "Calls asking us to send police." in as_coordinator.get(f"{URL}review/").content.decode()


def test_the_period_is_checked_too_and_a_review_is_deleted_after_asking(as_coordinator):
    from calls.models import TeamReview

    review = {"period": "the week Ana called from 555-010-0199", "went_well": "Calm nights."}
    refused = as_coordinator.post(f"{URL}review/", review)
    assert refused.status_code == 200 and not TeamReview.objects.exists()
    review["period"] = "the first week of March"
    as_coordinator.post(f"{URL}review/", review)
    saved = TeamReview.objects.get()
    delete = f"{URL}review/{saved.pk}/delete/"
    assert delete in as_coordinator.get(f"{URL}review/").content.decode()
    question = as_coordinator.get(delete).content.decode()
    assert "Delete the review of the first week of March?" in question
    assert TeamReview.objects.exists()
    done = as_coordinator.post(delete, follow=True).content.decode()
    assert "Review deleted." in done and not TeamReview.objects.exists()


def test_review_access(client, as_responder, as_trainer, db):
    assert client.get(f"{URL}review/").status_code == 302
    assert as_responder.get(f"{URL}review/").status_code == 403
    assert as_trainer.post(f"{URL}review/", {"period": "x"}).status_code == 403


def test_check_out_answers_week_by_week_hide_small_counts(as_coordinator):
    from calls.models import Measure, WeeklyCount

    for day, answers in (
        (date(2030, 3, 4), ["fine"] * 6 + ["break"]),
        (date(2030, 3, 11), ["fine"] * 7 + ["debrief"] * 5),
    ):
        for answer in answers:
            WeeklyCount.add(day, Measure.CHECK_OUT, [answer])
    html = as_coordinator.get(URL).content.decode()
    table = html.split('id="check-outs-by-week"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table)
    assert [week for week, _cells in rows] == ["11 Mar 2030", "4 Mar 2030"]  # newest first
    cells = [re.findall(r"<td>([^<]*)</td>", row) for _week, row in rows]
    assert cells == [["7", "5", "0"], ["6", "0", "fewer than 5"]]
