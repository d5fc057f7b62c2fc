from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.protocols.conftest import make_page

URL = reverse("protocols:stale")


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_responders_may_not_see_it(as_responder):
    assert as_responder.get(URL).status_code == 403


def test_lists_only_overdue_pages_oldest_first(as_trainer, trainer):
    fresh = make_page("fresh", author=trainer, title="Fresh page")
    old = make_page("old", author=trainer, title="Old page")
    older = make_page("older", author=trainer, title="Older page")
    old.review_due_at = timezone.now() - timedelta(days=1)
    old.save()
    older.review_due_at = timezone.now() - timedelta(days=30)
    older.save()
    html = as_trainer.get(URL).content.decode()
    assert "Fresh page" not in html
    assert html.index("Older page") < html.index("Old page")
    assert fresh.slug
    response = as_trainer.post(reverse("protocols:review", args=["old"]), {"next": "stale"})
    assert response["Location"] == URL
    assert "Old page" not in as_trainer.get(URL).content.decode()


def test_pages_go_stale_when_their_interval_passes(as_trainer, trainer):
    now = timezone.now()
    make_page(
        "week-old", author=trainer, review_interval_days=7, created_at=now - timedelta(days=8)
    )
    make_page(
        "six-days", author=trainer, review_interval_days=7, created_at=now - timedelta(days=6)
    )
    html = as_trainer.get(URL).content.decode()
    assert "Week Old" in html
    assert "Six Days" not in html


def test_empty_list_says_so(as_trainer):
    assert "Every protocol is within its review date." in as_trainer.get(URL).content.decode()
