"""A protocol row with no revision yet (one half-made by hand in the admin, say)
is missing to its readers and editors, never a server error."""

import pytest
from django.urls import reverse

from protocols.models import Protocol


@pytest.fixture
def bare_page(db) -> Protocol:
    return Protocol.objects.create(
        slug="bare-page", title="Bare page", language="en", category="de-escalation"
    )


@pytest.fixture
def bare_tree(db) -> Protocol:
    return Protocol.objects.create(
        slug="bare-tree",
        title="Bare tree",
        kind=Protocol.Kind.TREE,
        language="en",
        category="emergency-or-crisis",
    )


def test_a_page_without_text_is_missing_to_its_editor(as_trainer, bare_page):
    assert as_trainer.get(reverse("protocols:edit", args=[bare_page.slug])).status_code == 404


def test_restoring_into_a_page_without_text_is_missing(as_trainer, bare_page):
    url = reverse("protocols:restore", args=[bare_page.slug, 1])
    assert as_trainer.post(url).status_code == 404
    assert not bare_page.revisions.exists()


@pytest.mark.parametrize("name", ["protocols:tree", "protocols:tree_yaml", "protocols:tree_json"])
def test_a_tree_without_nodes_is_missing_to_its_readers(as_responder, bare_tree, name):
    assert as_responder.get(reverse(name, args=[bare_tree.slug])).status_code == 404


def test_the_pages_that_have_text_still_open(as_responder, as_trainer, bare_tree, page, tree):
    assert as_responder.get(reverse("protocols:tree", args=[tree.slug])).status_code == 200
    assert as_trainer.get(reverse("protocols:edit", args=[page.slug])).status_code == 200
