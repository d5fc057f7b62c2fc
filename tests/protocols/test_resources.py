"""The team's directory of resources: who reads, who edits, filters, print, export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time

import pytest
import time_machine

from protocols.care_map import PublicDirectory, Resource
from tests.conftest import client_for
from tests.protocols.resource_helpers import make_resource

pytestmark = pytest.mark.django_db

LIST = "/protocols/resources/"
NEW = "/protocols/resources/new/"

# Saturday 01:30 in New York: the Friday-night resource is still open.
SATURDAY_SMALL_HOURS = datetime(2026, 12, 12, 6, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def directory():
    """A small directory whose resources each pass a different filter."""
    return {
        "shelter": make_resource(
            "night-shelter",
            name="Night Shelter",
            police="never",
            id_required="no",
            speaks_spanish=True,
            hours=((4, time(19), time(2)),),
            line_note="Ask for the evening team.",
            phone="+15555550101",
        ),
        "clinic": make_resource(
            "day-clinic",
            name="Day Clinic",
            needs=("medical",),
            police="sometimes",
            id_required="yes",
            hours=((5, time(9), time(17)),),
        ),
        "paused": make_resource(
            "paused-rides",
            name="Paused Rides",
            needs=("transport",),
            police="never",
            do_not_refer=True,
            do_not_refer_reason="No drivers until spring.",
        ),
    }


def names(response) -> list[str]:
    return [card["name"] for card in response.context["resources"]]


# --- Who may read ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, directory):
    for url in (LIST, directory["shelter"].get_absolute_url(), "/protocols/resources/map/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_without_a_role_is_refused(as_outsider, directory):
    assert as_outsider.get(LIST).status_code == 403
    assert as_outsider.get(directory["shelter"].get_absolute_url()).status_code == 403


def test_responder_reads_every_resource_with_its_safety_profile(as_responder, directory):
    response = as_responder.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert set(names(response)) == {"Night Shelter", "Day Clinic", "Paused Rides"}
    assert "Police: <strong>Never</strong>" in html.replace("\n", "").replace("    ", "")
    assert 'href="tel:+15555550101"' in html
    assert "Ask for the evening team." in html
    assert "No drivers until spring." in html
    # A responder is not offered editing.
    assert NEW not in html


def test_do_not_refer_resources_come_last(as_responder, directory):
    assert names(as_responder.get(LIST))[-1] == "Paused Rides"


def test_a_missing_resource_is_404(as_responder):
    assert as_responder.get("/protocols/resources/nowhere/").status_code == 404


# --- One-tap filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("no_police=1", {"Night Shelter", "Paused Rides"}),
        ("no_id=1", {"Night Shelter"}),
        ("spanish=1", {"Night Shelter"}),
        ("need=medical", {"Day Clinic"}),
        ("q=clinic", {"Day Clinic"}),
        ("no_police=1&need=transport", {"Paused Rides"}),
    ],
)
def test_filters_are_plain_links(as_responder, directory, query, expected):
    assert set(names(as_responder.get(f"{LIST}?{query}"))) == expected


def test_open_now_across_midnight(responder, directory):
    # Signed in at that moment: a session from today would have expired by then.
    with time_machine.travel(SATURDAY_SMALL_HOURS, tick=False):
        response = client_for(responder).get(f"{LIST}?open_now=1")
    assert names(response) == ["Night Shelter"]
    assert "Open now" in response.content.decode()


def test_a_filter_link_turns_itself_off_and_keeps_the_others(as_responder, directory):
    response = as_responder.get(f"{LIST}?no_police=1&spanish=1")
    filters = {f["name"]: f for f in response.context["filters"]}
    assert filters["no_police"]["on"] and filters["spanish"]["on"]
    assert "no_police" not in filters["no_police"]["url"]
    assert "spanish=1" in filters["no_police"]["url"]
    assert "no_id=1" in filters["no_id"]["url"] and "no_police=1" in filters["no_id"]["url"]


def test_bad_filter_input_shows_everything_rather_than_failing(as_responder, directory):
    response = as_responder.get(f"{LIST}?need=parking&q=" + "x" * 300)
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_the_search_form_keeps_what_was_asked_and_says_what_is_wrong(as_responder, directory):
    html = as_responder.get(f"{LIST}?need=food&q=night").content.decode()
    assert 'name="q" value="night"' in html
    assert '<option value="food" selected>' in html and '<option value="" selected>' not in html
    html = as_responder.get(f"{LIST}?need=parking").content.decode()
    assert 'aria-describedby="id_need_error"' in html and 'id="id_need_error"' in html


def test_the_list_reads_in_a_constant_number_of_queries(
    as_responder, directory, django_assert_max_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert as_responder.get(LIST).status_code == 200
        return len(captured)

    few = count()
    for n in range(20):
        make_resource(f"more-{n}", needs=("food", "housing"), hours=((n % 7, time(9), time(17)),))
    with django_assert_max_num_queries(few):
        as_responder.get(LIST)


# --- Writing --------------------------------------------------------------------------

VALID = {
    "name": "Eastside Tenant Union",
    "slug": "tenant-union",
    "summary": "Help with eviction notices.",
    "summary_es": "Ayuda con avisos de desalojo.",
    "needs": ["housing", "legal"],
    "referral_ways": ["call-together"],
    "phone": "+1 555 555 0103",
    "id_required": "no",
    "police": "never",
    "immigration": "never",
    "family_policing": "never",
    "involuntary_holds": "unknown",
    "partner_status": "known-contact",
    "contact_role": "hotline volunteer",
    "review_interval_days": "90",
    "visibility": "team",
    "hours_4": "19:00-02:00",
    "hours_0": "10:00-18:00",
}


def test_a_responder_may_not_add_or_edit(as_responder, directory):
    assert as_responder.get(NEW).status_code == 403
    assert as_responder.post(NEW, VALID).status_code == 403
    assert not Resource.objects.filter(slug="tenant-union").exists()
    edit = f"/protocols/resources/{directory['shelter'].slug}/edit/"
    assert as_responder.post(edit, {**VALID, "name": "Renamed"}).status_code == 403
    assert Resource.objects.get(slug="night-shelter").name == "Night Shelter"


def test_a_trainer_adds_a_resource_with_needs_hours_and_a_first_revision(as_trainer, trainer):
    response = as_trainer.post(NEW, VALID)
    assert response.status_code == 302
    resource = Resource.objects.get(slug="tenant-union")
    assert response["Location"] == resource.get_absolute_url()
    assert resource.need_values() == ["housing", "legal"]
    assert resource.phone == "+15555550103"
    assert [(h.weekday, h.start, h.end) for h in resource.hours.all()] == [
        (0, time(10), time(18)),
        (4, time(19), time(2)),
    ]
    revision = resource.revisions.get()
    assert revision.author == trainer and revision.data["police"] == "never"
    page = as_trainer.get(resource.get_absolute_url()).content.decode()
    assert "Eastside Tenant Union" in page and "hotline volunteer" in page


def test_a_coordinator_edits_and_the_history_names_what_changed(as_coordinator, directory):
    resource = directory["shelter"]
    edit = f"/protocols/resources/{resource.slug}/edit/"
    form = as_coordinator.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": resource.name,
            "summary": resource.summary,
            "needs": ["housing"],
            "police": "sometimes",
            "summary_of_change": "Police now patrol the door",
        }
    )
    data.pop("last_verified", None)
    response = as_coordinator.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    resource.refresh_from_db()
    assert resource.police == "sometimes"
    history = as_coordinator.get(f"/protocols/resources/{resource.slug}/history/")
    html = history.content.decode()
    assert "Police now patrol the door" in html and "police" in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"needs": []}, "needs", "Choose at least one need"),
        ({"hours_4": "7pm till late"}, "hours_4", "is not a time span"),
        ({"hours_2": "10:00-10:00"}, "hours_2", "opens and closes at the same time"),
        ({"phone": "call Ana"}, "phone", "not a phone number"),
        ({"do_not_refer": "on", "do_not_refer_reason": ""}, "do_not_refer_reason", "Say why"),
        ({"slug": "map"}, "slug", "reserved"),
        ({"police": "rarely"}, "police", "valid choice"),
    ],
)
def test_bad_input_is_explained_at_the_top_and_saves_nothing(as_trainer, change, field, message):
    response = as_trainer.post(NEW, {**VALID, **change})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert "Please fix these before saving:" in response.content.decode()
    assert not Resource.objects.filter(slug=VALID["slug"]).exists()


def test_verify_marks_today_and_refuses_get(as_trainer, trainer, directory):
    resource = directory["clinic"]
    url = f"/protocols/resources/{resource.slug}/verify/"
    assert as_trainer.get(url).status_code == 405
    with time_machine.travel(datetime(2027, 6, 1, 15, tzinfo=UTC), tick=False):
        assert client_for(trainer).post(url).status_code == 302
    resource.refresh_from_db()
    assert resource.last_verified.isoformat() == "2027-06-01"
    assert resource.revisions.order_by("-number").first().summary == "Verified"


def test_restore_puts_an_old_version_back(as_trainer, as_responder, trainer, directory):
    resource = directory["shelter"]
    resource.police = "always"
    resource.save()
    from protocols.care_map import record_revision

    record_revision(resource, author=trainer, summary="worse")
    url = f"/protocols/resources/{resource.slug}/revisions/1/restore/"
    assert as_responder.post(url).status_code == 403
    assert as_trainer.get(url).status_code == 405
    assert as_trainer.post(url).status_code == 302
    resource.refresh_from_db()
    assert resource.police == "never"
    assert (
        as_trainer.post("/protocols/resources/night-shelter/revisions/99/restore/").status_code
        == 404
    )


# --- Print, export, map --------------------------------------------------------------


def test_pocket_list_per_need_leaves_out_do_not_refer(as_responder, directory):
    html = as_responder.get("/protocols/resources/print/?need=transport").content.decode()
    assert "Paused Rides" not in html and "No resources for this need yet." in html
    html = as_responder.get("/protocols/resources/print/?need=housing").content.decode()
    assert "Night Shelter" in html and "Day Clinic" not in html


def test_export_holds_team_only_resources_only_when_asked(as_trainer, as_responder, directory):
    directory["clinic"].visibility = "shareable"
    directory["clinic"].save()
    assert as_responder.get("/protocols/resources/export/").status_code == 403

    def rows(url):
        response = as_trainer.get(url)
        return list(csv.DictReader(io.StringIO(response.content.decode())))

    assert [r["slug"] for r in rows("/protocols/resources/export/")] == ["day-clinic"]
    everything = rows("/protocols/resources/export/?include_team=1")
    assert {r["slug"] for r in everything} == {"night-shelter", "day-clinic", "paused-rides"}


def test_export_cells_never_run_as_spreadsheet_formulas(as_trainer):
    make_resource("formula", name='=HYPERLINK("http://evil")', visibility="shareable")
    body = as_trainer.get("/protocols/resources/export/").content.decode()
    assert "'=HYPERLINK" in body


def test_map_links_each_resource_and_loads_nothing_from_elsewhere(as_responder, directory):
    html = as_responder.get("/protocols/resources/map/").content.decode()
    assert "<svg" in html and 'href="/protocols/resources/night-shelter/"' in html
    assert "paused-rides" not in html  # not for referring
    assert "http://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_resource_text_is_escaped(as_responder):
    make_resource("xss", name="<script>alert(1)</script>", line_note="<img src=x onerror=alert(1)>")
    html = as_responder.get(LIST).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


# --- The public switch ---------------------------------------------------------------


def test_only_trainers_and_coordinators_switch_the_public_page(
    as_responder, as_trainer, as_coordinator
):
    url = "/protocols/resources/public/"
    assert as_responder.post(url, {"is_on": "on"}).status_code == 403
    assert not PublicDirectory.current().is_on
    assert as_trainer.post(url, {"is_on": "on"}).status_code == 302
    assert PublicDirectory.current().is_on
    assert as_coordinator.post(url, {}).status_code == 302
    assert not PublicDirectory.current().is_on


def test_cards_come_twenty_at_a_time_with_a_link_for_more(as_responder):
    for n in range(25):
        make_resource(f"place-{n:02d}", name=f"Place {n:02d}", needs=("food",))
    response = as_responder.get(f"{LIST}?need=food")
    assert len(response.context["resources"]) == 20 and response.context["total"] == 25
    html = response.content.decode()
    assert "25 resources" in html and "Show more (5 left)" in html
    assert "Place 19" in html and "Place 20" not in html
    more = response.context["more_url"]
    assert "need=food" in more and "shown=40" in more
    assert "Place 24" in as_responder.get(more).content.decode()
    assert len(as_responder.get(more).context["resources"]) == 25
    assert len(as_responder.get(f"{LIST}?shown=abc").context["resources"]) == 20


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_map_reads_in_a_constant_number_of_queries(as_responder, directory):
    from django.core.cache import cache

    cache.clear()
    few = _queries(as_responder, "/protocols/resources/map/")
    for n in range(20):
        make_resource(f"more-{n}", needs=("food", "housing"), police="always")
    cache.clear()
    assert _queries(as_responder, "/protocols/resources/map/") == few
    # Drawn once, then kept until something changes: two queries fewer.
    assert _queries(as_responder, "/protocols/resources/map/") == few - 2


def test_the_kept_map_shows_an_edit_at_once(as_responder, as_trainer, directory):
    assert "Night Shelter" in as_responder.get("/protocols/resources/map/").content.decode()
    resource = directory["shelter"]
    resource.name = "Night Shelter on Elm"
    resource.save()
    from protocols.care_map import record_revision

    record_revision(resource, author=None, summary="Renamed")
    html = as_responder.get("/protocols/resources/map/").content.decode()
    assert "Night Shelter on Elm" in html


def test_the_map_is_drawn_in_the_readers_language(as_responder, directory):
    english = as_responder.get("/protocols/resources/map/").content.decode()
    spanish = as_responder.get("/protocols/resources/map/", HTTP_ACCEPT_LANGUAGE="es").content
    assert ">Housing<" in english
    assert ">Vivienda<" in spanish.decode()


def test_the_map_escapes_resource_names(as_responder):
    make_resource("xss-map", name="<script>alert(1)</script>")
    html = as_responder.get("/protocols/resources/map/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
