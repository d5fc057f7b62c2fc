"""Zip export and import of the resource directory: a preview before anything
changes, nothing overwritten silently, and hostile bundles refused whole."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import time

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from protocols.care_map import Resource
from tests.protocols.resource_helpers import make_resource
from tests.protocols.test_import import zipped
from tests.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

URL = "/protocols/resources/import/"
EXPORT = "/protocols/resources/export/resources.zip"


def resource_file(slug: str = "night-shelter", **fields) -> str:
    document = {
        "slug": slug,
        "name": "Night Shelter",
        "summary": "Beds for the night.",
        "needs": ["housing"],
        "hours": [[4, "19:00", "02:00"]],
        "police": "never",
        **fields,
    }
    return yaml.safe_dump(document, allow_unicode=True)


def check(client, files):
    return client.post(URL, {"bundle": zipped(files)})


def confirm(client, preview, **extra):
    checked = re.search(r'name="checked" value="([^"]+)"', preview.content.decode()).group(1)
    return client.post(URL, {"checked": checked, **extra})


def refused(client, files, words: str) -> None:
    before = database_snapshot()
    response = check(client, files)
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html, html[html.find("Problems") : html.find("Problems") + 1500]
    assert "Nothing was imported" in html
    assert database_snapshot() == before


def test_a_round_trip_carries_every_field_needs_and_hours(as_trainer, trainer):
    make_resource(
        "night-shelter",
        name="Night Shelter",
        needs=("housing", "food"),
        hours=((4, time(19), time(2)),),
        visibility="shareable",
        police="never",
        summary_es="Camas para la noche.",
        referral_ways=["walk-in"],
    )
    make_resource("quiet-clinic", name="Quiet Clinic", visibility="team")
    shareable = as_trainer.get(EXPORT)
    assert shareable["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(shareable.content)).namelist()
    assert names == ["resources/night-shelter.yaml"]  # team-only stays in unless asked
    everything = as_trainer.get(EXPORT + "?include_team=1").content
    assert len(zipfile.ZipFile(io.BytesIO(everything)).namelist()) == 2
    Resource.objects.all().delete()
    upload = SimpleUploadedFile("r.zip", everything, content_type="application/zip")
    preview = as_trainer.post(URL, {"bundle": upload})
    assert preview.status_code == 200
    assert not Resource.objects.exists()  # the preview changes nothing
    assert "2 new resources" in preview.content.decode()
    assert confirm(as_trainer, preview).status_code == 302
    shelter = Resource.objects.get(slug="night-shelter")
    assert shelter.need_values() == ["food", "housing"]
    assert [(h.weekday, h.start, h.end) for h in shelter.hours.all()] == [(4, time(19), time(2))]
    assert shelter.summary_es == "Camas para la noche." and shelter.referral_ways == ["walk-in"]
    assert shelter.revisions.get().author == trainer


def test_a_resource_that_differs_here_is_changed_only_when_asked(as_trainer):
    make_resource("night-shelter", name="Night Shelter", police="never")
    files = {"resources/night-shelter.yaml": resource_file(police="always")}
    preview = check(as_trainer, files)
    html = preview.content.decode()
    assert "1 resource differs here" in html and "police" in html
    confirm(as_trainer, preview)
    assert Resource.objects.get().police == "never"
    confirm(as_trainer, check(as_trainer, files), update_existing="on")
    shelter = Resource.objects.get()
    assert shelter.police == "always"
    assert shelter.revisions.count() == 2  # a new revision, the old one kept


def test_a_tampered_check_is_refused(as_trainer):
    preview = check(as_trainer, {"resources/night-shelter.yaml": resource_file()})
    checked = re.search(r'name="checked" value="([^"]+)"', preview.content.decode()).group(1)
    response = as_trainer.post(URL, {"checked": checked[:-3] + "abc"})
    assert response.status_code == 302
    assert not Resource.objects.exists()


def test_only_editors(as_responder, client):
    files = {"resources/night-shelter.yaml": resource_file()}
    assert as_responder.get(URL).status_code == 403
    assert check(as_responder, files).status_code == 403
    assert as_responder.get(EXPORT).status_code == 403
    assert client.get(URL).status_code == 302
    assert not Resource.objects.exists()


# --- Hostile bundles: each refused whole, naming the file, changing nothing -----------


def test_path_traversal_and_absolute_names(as_trainer):
    refused(as_trainer, {"resources/../../etc/x.yaml": resource_file()}, "tries to leave")
    refused(as_trainer, {"/resources/x.yaml": resource_file()}, "is an absolute path")
    refused(as_trainer, {"resources/run.sh": "echo"}, "only resources/&lt;slug&gt;.yaml")


def test_a_zip_bomb_member_is_refused_by_the_bytes_read(as_trainer):
    files = {"resources/night-shelter.yaml": resource_file(summary="a" * 5_000_000)}
    assert zipped(files).size < 50_000
    refused(as_trainer, files, "is too large")


def test_too_many_members(as_trainer):
    files = {f"resources/r{n}.yaml": resource_file(f"r{n}") for n in range(401)}
    refused(as_trainer, files, "more than 400 files")


def test_aliases_and_deep_nesting(as_trainer):
    laughs = "a: &a ['x','x']\nb: &b [*a,*a]\nc: &c [*b,*b]\nname: *c\n"
    refused(as_trainer, {"resources/laughs.yaml": laughs}, "cannot be read")
    deep = "name: " + "[" * 40 + "]" * 40 + "\n"
    refused(as_trainer, {"resources/deep.yaml": deep}, "cannot be read")


def test_every_value_is_checked_for_its_type(as_trainer):
    refused(
        as_trainer,
        {"resources/night-shelter.yaml": resource_file(name=["a", "list"])},
        "name has the wrong type",
    )
    refused(
        as_trainer,
        {"resources/night-shelter.yaml": resource_file(speaks_spanish="yes")},
        "speaks_spanish has the wrong type",
    )
    refused(
        as_trainer,
        {"resources/night-shelter.yaml": resource_file(needs=["parking"])},
        "unknown needs",
    )
    refused(
        as_trainer,
        {"resources/night-shelter.yaml": resource_file(hours=[[9, "25:00", "x"]])},
        "hours are [day 0–6",
    )
    refused(
        as_trainer,
        {"resources/night-shelter.yaml": resource_file(police="whenever")},
        "is not a valid choice",
    )


def test_the_databases_rules_speak_in_words(as_trainer):
    refused(
        as_trainer,
        {"resources/night-shelter.yaml": resource_file(do_not_refer=True)},
        "Say why the team should not refer people here",
    )


def test_one_bad_file_refuses_the_good_ones_too(as_trainer):
    refused(
        as_trainer,
        {
            "resources/good.yaml": resource_file("good"),
            "resources/bad.yaml": resource_file("other"),
        },
        "the slug must match the file name",
    )
