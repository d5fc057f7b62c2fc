from django.urls import reverse

from protocols.models import Protocol


def url(number, slug="breathing"):
    return reverse("protocols:restore", args=[slug, number])


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.post(url(1))["Location"].startswith("/accounts/login/")


def test_responders_may_not_restore(as_responder, page, trainer):
    page.add_revision(author=trainer, body="newer")
    assert as_responder.post(url(1)).status_code == 403
    assert page.revisions.count() == 2


def test_unknown_revision_is_404(as_trainer, page):
    assert as_trainer.post(url(9)).status_code == 404


def test_restore_writes_a_new_revision(as_trainer, page, trainer):
    original = page.current.body
    page.add_revision(author=trainer, body="newer")
    response = as_trainer.post(url(1), follow=True)
    assert "Revision 1 is restored as a new revision." in response.content.decode()
    protocol = Protocol.objects.get(pk=page.pk)
    assert protocol.current.number == 3
    assert protocol.current.body == original
    assert protocol.current.restored_from == 1
    assert protocol.revisions.get(number=2).body == "newer"  # nothing is lost


def test_restoring_the_current_version_does_nothing(as_trainer, page):
    response = as_trainer.post(url(1), follow=True)
    assert "already the current version" in response.content.decode()
    assert page.revisions.count() == 1


def test_tree_restore(as_trainer, tree, trainer):
    from protocols import trees

    doc = tree.current.document
    doc["nodes"][3]["title"] = "Listen closely"
    tree.add_revision(author=trainer, body=trees.to_yaml(doc))
    as_trainer.post(url(1, tree.slug))
    assert Protocol.objects.get(pk=tree.pk).current.document["nodes"][3]["title"] == "Listen"
