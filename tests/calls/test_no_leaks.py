from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import Client

from calls.models import CallNote, RetentionPolicy, Tally
from crisisline.models import User
from tests.calls.conftest import write_note


def test_the_admin_never_shows_notes(settings, responder):
    write_note(responder, "admin-canary-5512")
    assert not admin.site.is_registered(CallNote)
    root = User.objects.create_superuser("root", password="x" * 12, display_name="Root")
    client = Client()
    client.force_login(root)
    index = client.get(f"/{settings.ADMIN_URL}")
    assert index.status_code == 200
    html = index.content.decode()
    assert "call note" not in html.lower() and "admin-canary-5512" not in html
    assert client.get(f"/{settings.ADMIN_URL}calls/callnote/").status_code == 404
    assert not LogEntry.objects.exists()


def test_bodies_travel_only_in_post_bodies(as_responder):
    html = as_responder.get("/notes/new/").content.decode()
    assert 'method="post" action="/notes/new/"' in html


def test_note_pages_are_never_cached(as_responder, responder):
    note = write_note(responder)
    for url in ("/notes/", "/notes/new/", f"/notes/{note.public_id}/"):
        cache_control = as_responder.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control


def test_str_of_any_calls_model_holds_no_content(responder):
    note = write_note(responder, "str-canary")
    for thing in (note, Tally.objects.get(count__gt=0), RetentionPolicy.current()):
        assert "str-canary" not in str(thing) and "str-canary" not in repr(thing)
    assert str(note) == note.public_id
