from django.urls import reverse


def url(number, slug="breathing"):
    return reverse("protocols:revision", args=[slug, number])


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.get(url(1))["Location"].startswith("/accounts/login/")


def test_unknown_revision_is_404(as_responder, page):
    assert as_responder.get(url(7)).status_code == 404


def test_an_old_revision_reads_as_old_and_trainers_may_restore(
    as_responder, as_trainer, page, trainer
):
    page.add_revision(author=trainer, body="newer")
    html = as_responder.get(url(1)).content.decode()
    assert "This is an old version." in html
    assert "Breathe first" in html
    assert reverse("protocols:restore", args=["breathing", 1]) not in html
    assert (
        reverse("protocols:restore", args=["breathing", 1])
        in as_trainer.get(url(1)).content.decode()
    )


def test_tree_revisions_show_as_an_outline(as_responder, tree):
    html = as_responder.get(url(1, tree.slug)).content.decode()
    assert "Is anyone&#x27;s life in danger right now?" in html
    assert "Emergency" in html
