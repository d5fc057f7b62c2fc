"""The note form asks first what a tired responder needs (kind, the note, how long
to keep it) and folds the rest below; a refused save starts with a summary that
links to each field, and the identifier warning sits at the note itself."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from calls.models import CallNote
from tests.calls.conftest import note_form, read_contents

URL = "/notes/new/"


def _before(html: str, first: str, then: str) -> bool:
    return html.index(first) < html.index(then)


def test_kind_note_and_keep_for_come_first_and_the_rest_is_folded(as_responder):
    html = as_responder.get(URL).content.decode()
    details = html.index('<details class="more"')
    for first in ('name="kind"', 'name="body"', 'name="keep_hours"'):
        assert html.index(first) < details
    for folded in ('name="response"', 'name="police"', 'name="needs"', 'name="follow_up_to"'):
        assert html.index(folded) > details
    assert '<details class="more">' in html  # closed
    # Chosen in advance, and said so on the folded part's summary line.
    assert re.search(r'name="response" value="phone"[^>]*checked', html)
    assert re.search(r'name="police" value="none"[^>]*checked', html)
    summary = html[details : html.index("</summary>", details)]
    assert "Phone support, No police; needs and follow-up" in summary
    assert "error-summary" not in html


def test_a_note_saved_from_the_first_fields_keeps_what_the_summary_said(as_responder, responder):
    # What a browser sends from the unopened form: the pre-chosen radios come along.
    response = as_responder.post(URL, note_form(kind="information", body="Asked about hours."))
    assert response.status_code == 302
    contents = read_contents(CallNote.objects.get(), responder)
    assert (contents.response, contents.police) == ("phone", "none")


def test_a_refused_save_starts_with_a_summary_linking_to_each_field(as_responder):
    response = as_responder.post(
        URL, note_form(kind=None, body="Met her at 12 Hill Street, call 555 0100 222.")
    )
    html = response.content.decode()
    assert response.status_code == 200 and not CallNote.including_expired.exists()
    summary = html[
        html.index('class="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert _before(html, 'class="error-summary"', 'id="field-kind"')
    links = re.findall(r'<a href="#(field-[a-z_]+)">', summary)
    assert links == ["field-kind", "field-body"]
    for anchor in links:
        assert f'id="{anchor}"' in html
    assert "Kind of call: This field is required." in summary
    assert "Note: This note may identify someone." in summary
    # The warning and what it found are at the note field, before "keep for".
    body_field = html[html.index('id="field-body"') : html.index('id="field-keep_hours"')]
    assert "These look like they could identify someone:" in body_field
    assert "keep these as written" in body_field
    assert '<details class="more">' in html  # nothing folded was refused: stays folded


def test_a_refusal_in_the_folded_part_opens_it(as_responder):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = as_responder.post(URL, note_form(follow_up_by=yesterday.isoformat()))
    html = response.content.decode()
    assert '<details class="more" open>' in html
    assert '<a href="#field-follow_up_by">' in html
    assert "The follow-up date is in the past." in html
