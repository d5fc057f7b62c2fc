"""Revisions are immutable, numbered in order, and the database enforces it."""

import pytest
from django.db import IntegrityError, connection, transaction

from protocols.models import ImmutableRevision, Revision, StaleEdit
from tests.protocols.conftest import make_page


def test_a_saved_revision_cannot_be_saved_again(page):
    revision = page.current
    revision.body = "changed"
    with pytest.raises(ImmutableRevision):
        revision.save()
    assert Revision.objects.get(pk=revision.pk).body != "changed"


def test_queryset_update_is_refused(page):
    with pytest.raises(ImmutableRevision):
        Revision.objects.filter(protocol=page).update(body="changed")


def test_the_database_refuses_to_change_a_revision(page):
    with (
        pytest.raises(Exception, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE protocols_revision SET body = 'changed'")
    assert page.current.body.startswith("# Breathe first")


def test_numbers_are_unique_per_protocol(page):
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(protocol=page, number=1, body="again")


def test_revisions_count_up_and_current_is_latest(page, trainer):
    page.add_revision(author=trainer, body="second")
    page.add_revision(author=trainer, body="third")
    assert list(page.revisions.values_list("number", flat=True)) == [3, 2, 1]
    assert page.current.body == "third"


def test_a_stale_base_is_refused(page, trainer):
    page.add_revision(author=trainer, body="second", based_on=1)
    with pytest.raises(StaleEdit) as caught:
        page.add_revision(author=trainer, body="from an old tab", based_on=1)
    assert caught.value.latest == 2
    assert page.revisions.count() == 2


def test_mark_reviewed_moves_the_due_date(trainer, db):
    protocol = make_page(review_interval_days=30)
    protocol.mark_reviewed(trainer)
    assert protocol.reviewed_by == trainer
    assert (protocol.review_due_at - protocol.reviewed_at).days == 30
    assert not protocol.is_stale
