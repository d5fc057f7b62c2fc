from django.urls import reverse
from django.utils import timezone

from protocols.models import Protocol


def url(slug="breathing"):
    return reverse("protocols:review", args=[slug])


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.post(url())["Location"].startswith("/accounts/login/")


def test_responders_may_not_review(as_responder, page):
    assert as_responder.post(url()).status_code == 403
    assert Protocol.objects.get(pk=page.pk).reviewed_at is None


def test_unknown_is_404(as_trainer, db):
    assert as_trainer.post(url("nope")).status_code == 404


def test_marking_reviewed_clears_the_badge(as_trainer, as_responder, page, trainer):
    page.review_due_at = timezone.now()
    page.save()
    assert "Review overdue" in as_responder.get(page.get_absolute_url()).content.decode()
    response = as_trainer.post(url(), follow=True)
    assert "Marked reviewed" in response.content.decode()
    protocol = Protocol.objects.get(pk=page.pk)
    assert protocol.reviewed_by == trainer
    assert not protocol.is_stale
    html = as_responder.get(page.get_absolute_url()).content.decode()
    assert "Review overdue" not in html
    assert "Last reviewed" in html and "Ade Trainer" in html
