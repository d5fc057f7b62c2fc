from django.urls import reverse


def url(slug):
    return reverse("protocols:print", args=[slug])


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.get(url(page.slug))["Location"].startswith("/accounts/login/")


def test_wrong_method(as_responder, page):
    assert as_responder.post(url(page.slug)).status_code == 405


def test_unknown_is_404(as_responder, db):
    assert as_responder.get(url("nope")).status_code == 404


def test_page_prints_its_text_and_dates(as_responder, page):
    html = as_responder.get(url(page.slug)).content.decode()
    assert "<h1>Breathe first</h1>" in html
    assert "revision 1 of" in html and "review due" in html


def test_tree_prints_as_a_nested_outline(as_responder, tree):
    html = as_responder.get(url(tree.slug)).content.decode()
    outline = html.split('class="outline"', 1)[1]
    assert (
        outline.index("Is anyone") < outline.index("Can the person talk") < outline.index("Listen")
    )
    assert outline.count('class="outline"') >= 2  # nested lists
    assert "<strong>medical</strong>" in outline  # guidance rendered


def test_an_overdue_page_prints_with_its_badge(as_responder, page):
    from django.utils import timezone

    page.review_due_at = timezone.now()
    page.save()
    assert "Review overdue" in as_responder.get(url(page.slug)).content.decode()
