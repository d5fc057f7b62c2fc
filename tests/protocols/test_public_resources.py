"""The public page of resources: off by default; when on, shareable resources only,
in both languages, without anything the team keeps to itself."""

from __future__ import annotations

import pytest

from protocols.care_map import PublicDirectory
from tests.protocols.resource_helpers import make_resource

pytestmark = pytest.mark.django_db

URL = "/resources/"


@pytest.fixture
def resources():
    return [
        make_resource(
            "open-fridge",
            name="Open Fridge",
            summary="Take what you need.",
            summary_es="Toma lo que necesites.",
            visibility="shareable",
            police="never",
            line_note="Internal: the back door sticks.",
            contact_role="fridge steward",
        ),
        make_resource("legal-clinic", name="Quiet Legal Clinic", visibility="team"),
        make_resource(
            "paused-van",
            name="Paused Van",
            visibility="shareable",
            do_not_refer=True,
            do_not_refer_reason="Van in the shop.",
        ),
    ]


def test_off_by_default_for_everyone(client, as_responder, resources):
    assert client.get(URL).status_code == 404
    assert as_responder.get(URL).status_code == 404


def test_when_on_it_shows_shareable_resources_and_never_team_only_ones(client, resources):
    PublicDirectory.switch(True)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open Fridge" in html
    assert "Quiet Legal Clinic" not in html
    assert "Paused Van" not in html and "Van in the shop." not in html
    # The team's own knowledge stays inside.
    assert "the back door sticks" not in html and "fridge steward" not in html
    assert "/protocols/resources/" not in html


def test_filters_and_search_never_reach_team_only_resources(client, resources):
    PublicDirectory.switch(True)
    for query in ("?q=Quiet", "?need=housing", "?no_police=1", "?q=Paused"):
        html = client.get(URL + query).content.decode()
        assert "Quiet Legal Clinic" not in html and "Paused Van" not in html, query


def test_public_page_in_spanish(client, resources):
    PublicDirectory.switch(True)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Toma lo que necesites." in html
    assert "Policía: <strong>Nunca</strong>" in " ".join(html.split())
    assert "Sin policía" in html  # the filter


def test_switching_it_off_hides_it_again(client, resources):
    PublicDirectory.switch(True)
    PublicDirectory.switch(False)
    assert client.get(URL).status_code == 404
