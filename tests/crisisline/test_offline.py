"""What a signed-in phone may keep for offline reading: drawn from the URL conf
through an allow-list, so notes, rosters, people and coordinators' pages never
are, even when a new route is added later."""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crisisline import offline
from tests.protocols.conftest import make_page, make_tree

COPIES = "/offline/copies.json"


def _all_route_names(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _all_route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_only_reading_routes_are_on_the_allow_list():
    # Adding a route here is a decision someone reviews; nothing else can be kept.
    assert offline.allowed_routes() == {
        "offline",
        "protocols:library",
        "protocols:page",
        "protocols:tree_offline",
        # The care map: organisations only, never a caller or a teammate.
        "protocols:resources",
        "protocols:resource",
    }
    assert offline.allowed_routes() <= _all_route_names()


def test_a_phone_must_be_signed_in_to_learn_what_to_keep(client):
    response = client.get(COPIES)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_library_pages_and_trees_are_kept_in_both_languages(as_responder):
    make_page("breathing", language="en")
    make_page("respirar", language="es", translation_key="breathing")
    make_tree("crisis-or-emergency")
    response = as_responder.get(COPIES)
    assert "no-store" in response["Cache-Control"]
    kept = response.json()
    assert set(kept["addresses"]) == {
        "/protocols/",
        "/protocols/?language=en",
        "/protocols/?language=es",
        "/protocols/breathing/",
        "/protocols/respirar/",
        "/protocols/trees/crisis-or-emergency/offline/",
        "/protocols/resources/",
    }
    # Opening the step-through with no signal opens the whole tree on one page.
    assert kept["fallbacks"] == {
        "/protocols/trees/crisis-or-emergency/": "/protocols/trees/crisis-or-emergency/offline/"
    }
    assert "/offline/" in kept["always"]


def test_the_care_map_is_kept_resource_by_resource(as_responder):
    from protocols.models import Resource

    Resource.objects.create(name="Night shelter", slug="night-shelter")
    kept = as_responder.get(COPIES).json()
    assert {"/protocols/resources/", "/protocols/resources/night-shelter/"} <= set(
        kept["addresses"]
    )


def test_nothing_kept_resolves_to_a_route_off_the_list(as_responder):
    make_page("breathing")
    make_tree("crisis-or-emergency")
    off_the_list = _all_route_names() - offline.allowed_routes()
    assert {"calls:list", "calls:detail", "shifts:roster", "people", "profile"} <= off_the_list
    for address in as_responder.get(COPIES).json()["addresses"]:
        assert offline.route_of(address) in offline.allowed_routes(), address


def test_a_page_whose_address_belongs_to_another_route_is_not_kept(as_responder):
    # "/protocols/stale/" is the trainers' list of pages due for review, not this page.
    make_page("stale")
    make_page("breathing")
    addresses = as_responder.get(COPIES).json()["addresses"]
    assert "/protocols/breathing/" in addresses
    assert "/protocols/stale/" not in addresses


def test_a_careless_new_provider_cannot_slip_a_personal_route_in(as_responder, monkeypatch):
    # A later app offering notes, the roster or a person's page by mistake:
    # those routes are not on the allow-list, so they are dropped.
    monkeypatch.setattr(offline, "_PROVIDERS", list(offline._PROVIDERS))
    monkeypatch.setattr(offline, "_ROUTES", set(offline._ROUTES))
    offline.register(
        [],
        lambda: [
            "/notes/",
            "/roster/",
            "/people/",
            "/profile/",
            "/me/shifts/",
            "/protocols/stale/",
        ],
    )
    make_page("breathing")
    addresses = as_responder.get(COPIES).json()["addresses"]
    assert "/protocols/breathing/" in addresses
    for personal in ["/notes/", "/roster/", "/people/", "/profile/", "/me/shifts/"]:
        assert personal not in addresses


def test_the_service_worker_is_served_from_this_host_to_anyone(client, db):
    response = client.get(reverse("service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    # It learns what to keep from the server's list, and labels kept pages in both languages.
    assert '"copies": "/offline/copies.json"' in body
    assert "Offline copy from" in body and "Copia sin conexión del" in body
    assert "http://" not in body and "https://" not in body


def test_the_policy_stays_strict_with_the_worker(client, db):
    policy = client.get(reverse("service_worker"))["Content-Security-Policy"]
    # default-src 'self' already covers workers and the manifest: nothing was loosened.
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "*" not in policy


def test_the_manifest_installs_the_line_starting_on_call(client, db):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/oncall/"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#14532d"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_pages_link_the_manifest_and_register_the_worker_after_load(as_responder):
    html = as_responder.get("/oncall/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<script src="/static/offline.js" defer></script>' in html
    assert "data-signed-in" in html


def test_the_offline_page_says_what_is_kept(as_responder):
    response = as_responder.get(reverse("offline"))
    assert response.status_code == 200
    assert b"notes, the roster and people never are" in response.content


@pytest.mark.urls("tests.offline_urls")
def test_a_personal_route_added_later_is_not_kept_even_at_a_protocols_address(as_responder):
    # A page whose slug is "mine" now has the address of someone's own saved
    # pages: the new route is not on the allow-list, so that address is not kept.
    make_page("mine")
    make_page("breathing")
    assert offline.route_of("/protocols/mine/") == "my_saved_pages"
    addresses = as_responder.get(COPIES).json()["addresses"]
    assert "/protocols/breathing/" in addresses
    assert "/protocols/mine/" not in addresses
