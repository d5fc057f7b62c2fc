"""The care map's rules: safety profile, verification dates, hours across midnight,
needs from the notes' list, and revisions that restore."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.db import IntegrityError, transaction

from calls.models import Need
from protocols import care_map
from protocols.care_map import Involvement, Resource, ResourceRevision
from tests.protocols.resource_helpers import make_resource

pytestmark = pytest.mark.django_db

# Friday 23:30 and Saturday 01:30 in New York (UTC-5 in December).
FRIDAY_LATE = datetime(2026, 12, 12, 4, 30, tzinfo=UTC)
SATURDAY_SMALL_HOURS = datetime(2026, 12, 12, 6, 30, tzinfo=UTC)
SATURDAY_MORNING = datetime(2026, 12, 12, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def test_needs_are_the_notes_needs():
    resource = make_resource(needs=("housing", "food"))
    assert resource.need_labels() == [str(Need.FOOD.label), str(Need.HOUSING.label)]
    with pytest.raises(ValueError):
        resource.set_needs(["parking"])


def test_the_database_refuses_an_unknown_need_or_involvement():
    resource = make_resource()
    with pytest.raises(IntegrityError), transaction.atomic():
        care_map.ResourceNeed.objects.create(resource=resource, need="parking")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(police="rarely")


def test_do_not_refer_needs_a_reason_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(slug="x", name="X", summary="x", do_not_refer=True)
    make_resource("y", do_not_refer=True, do_not_refer_reason="Closed for repairs.")


def test_safety_profile_reads_as_words_with_a_shape_for_each_answer():
    resource = make_resource(police="never", immigration="always", family_policing="if-asked")
    profile = {line.field: line for line in resource.safety_profile()}
    assert profile["police"].label == "Never" and profile["police"].is_safe
    assert profile["immigration"].label == "Always"
    assert profile["involuntary_holds"].involvement == Involvement.UNKNOWN
    # Never colour alone: every answer has its own shape.
    assert len({line.icon for line in profile.values()}) == 4


def test_verification_falls_due_after_its_interval_and_shows_the_stale_badge():
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        resource = make_resource(last_verified=date(2026, 1, 1), review_interval_days=30)
        assert resource.verify_due_on == date(2026, 1, 31)
        assert resource.is_stale
        assert list(Resource.objects.due_for_verification()) == [resource]
        resource.mark_verified()
        resource.refresh_from_db()
        assert resource.last_verified == date(2026, 3, 1)
        assert resource.verify_due_on == date(2026, 3, 31)
        assert not resource.is_stale
        assert list(Resource.objects.due_for_verification()) == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [(FRIDAY_LATE, True), (SATURDAY_SMALL_HOURS, True), (SATURDAY_MORNING, False)],
)
def test_open_now_across_midnight_in_the_lines_zone(now, expected):
    # Friday 19:00 to Saturday 02:00, New York time.
    resource = make_resource(hours=((4, time(19), time(2)),))
    with time_machine.travel(now, tick=False):
        assert care_map.is_open(list(resource.hours.all()), now) is expected
        status = resource.opening()
        assert status is not None and status.is_open is expected
        if expected:
            assert status.until == datetime(2026, 12, 12, 7, 0, tzinfo=UTC)  # 02:00 local


def test_no_hours_is_never_open():
    resource = make_resource()
    assert resource.opening() is None
    assert care_map.is_open([], FRIDAY_LATE) is False


def test_every_change_is_a_revision_and_restore_brings_the_old_version_back(trainer):
    resource = make_resource(police="never", author=trainer, hours=((0, time(9), time(17)),))
    resource.police = "always"
    resource.save()
    resource.set_needs(["legal"])
    resource.set_hours([])
    care_map.record_revision(resource, author=trainer, summary="Police now called")
    first = resource.revisions.get(number=1)
    care_map.restore(resource, first, author=trainer)
    resource.refresh_from_db()
    assert resource.police == "never"
    assert resource.need_values() == ["housing"]
    assert [(h.weekday, h.start, h.end) for h in resource.hours.all()] == [(0, time(9), time(17))]
    latest = resource.revisions.order_by("-number").first()
    assert latest.number == 3 and latest.restored_from == 1


def test_revisions_are_immutable(trainer):
    resource = make_resource(author=trainer)
    revision = resource.revisions.get()
    revision.summary = "rewritten"
    with pytest.raises(Exception, match="immutable"):
        revision.save()
    with pytest.raises(Exception, match="immutable"):
        ResourceRevision.objects.filter(pk=revision.pk).update(summary="x")


def test_the_database_refuses_to_change_a_resource_revision(trainer):
    """The same trigger as protocol revisions have; the author alone may change."""
    from django.db import connection, transaction

    resource = make_resource(police="never", author=trainer)
    with (
        pytest.raises(Exception, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE protocols_resourcerevision SET data = '{}'")
    assert resource.revisions.get().data["police"] == "never"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE protocols_resourcerevision SET author_id = NULL")
    assert resource.revisions.get().author is None


def test_protocol_pages_and_resources_share_one_revision_machinery():
    from protocols import revisions
    from protocols.models import Revision

    assert issubclass(Revision, revisions.RevisionBase)
    assert issubclass(ResourceRevision, revisions.RevisionBase)
    resource = make_resource()
    care_map.record_revision(resource, author=None, summary="Second")
    with pytest.raises(revisions.StaleEdit):
        revisions.write_next(
            ResourceRevision, resource, "resource", based_on=1, data={}, summary="Late"
        )
    first = resource.revisions.get(number=1)
    written = care_map.restore(resource, first, author=None)
    assert written.what_changed == "Restored revision 1"


def test_map_places_safe_resources_at_the_centre_and_others_outward():
    safe = make_resource(
        "safe",
        police="never",
        immigration="never",
        family_policing="never",
        involuntary_holds="never",
    )
    risky = make_resource("risky", police="always")
    sectors = care_map.layout(care_map.map_entries())
    assert [s.need for s in sectors] == ["housing"]
    by_slug = {dot.resource.slug: dot for dot in sectors[0].dots}
    centre = care_map.MAP_SIZE / 2

    def distance(dot):
        return ((dot.x - centre) ** 2 + (dot.y - centre) ** 2) ** 0.5

    assert by_slug[safe.slug].ring == 0 and by_slug[risky.slug].ring == 3
    assert distance(by_slug[safe.slug]) < care_map.RING_RADII[0] < distance(by_slug[risky.slug])


def test_spanish_text_falls_back_to_english():
    resource = make_resource(summary="Beds.", summary_es="Camas.", line_note="Ask Ana's desk.")
    assert resource.in_language("summary", "es") == "Camas."
    assert resource.in_language("summary", "en") == "Beds."
    assert resource.in_language("line_note", "es") == "Ask Ana's desk."
