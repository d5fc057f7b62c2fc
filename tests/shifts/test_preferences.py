from shifts.models import ShiftPreferences

URL = "/me/shift-settings/"


def test_reminders_are_off_by_default_and_can_be_set(as_responder, responder):
    as_responder.get(URL)
    assert ShiftPreferences.objects.get(person=responder).reminder_hours is None
    response = as_responder.post(URL, {"reminder_hours": "12"}, follow=True)
    assert "Your shift settings are saved." in response.content.decode()
    assert ShiftPreferences.objects.get(person=responder).reminder_hours == 12


def test_absurd_reminders_are_refused(as_responder, responder):
    for bad in ["0", "1000", "soon"]:
        response = as_responder.post(URL, {"reminder_hours": bad})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert ShiftPreferences.objects.get(person=responder).reminder_hours is None


def test_links_to_the_profile_for_limits(as_responder):
    assert 'href="/profile/"' in as_responder.get(URL).content.decode()


def test_clearing_every_field_turns_reminders_off_and_hides_teammates(as_responder, responder):
    """A form with every box unticked and the number cleared sends nothing at all:
    that is still a choice, saved like any other."""
    as_responder.post(URL, {"reminder_hours": "12", "feed_shows_teammates": "on"})
    response = as_responder.post(URL, {}, follow=True)
    assert "Your shift settings are saved." in response.content.decode()
    prefs = ShiftPreferences.objects.get(person=responder)
    assert prefs.reminder_hours is None
    assert prefs.feed_shows_teammates is False
