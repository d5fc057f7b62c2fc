from django.urls import reverse


def url(slug="breathing"):
    return reverse("protocols:history", args=[slug])


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.get(url())["Location"].startswith("/accounts/login/")


def test_unknown_is_404(as_responder, db):
    assert as_responder.get(url("nope")).status_code == 404


def test_lists_every_revision_with_author_and_summary(as_responder, page, coordinator):
    page.add_revision(author=coordinator, body="second", summary="shorter steps")
    html = as_responder.get(url()).content.decode()
    assert "#2" in html and "#1" in html
    assert "shorter steps" in html and "First version" in html
    assert "Rosa Coordinator" in html and "Ade Trainer" in html
    assert reverse("protocols:compare", args=["breathing"]) in html
