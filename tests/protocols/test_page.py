from django.urls import reverse

from tests.protocols.conftest import make_page


def url(slug="breathing"):
    return reverse("protocols:page", args=[slug])


def test_anonymous_is_sent_to_sign_in(client, page):
    response = client.get(url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_every_role_reads_it(as_responder, as_outsider, as_coordinator, page):
    for reader in (as_responder, as_outsider, as_coordinator):
        response = reader.get(url())
        assert response.status_code == 200
        assert "<h1>Breathe first</h1>" in response.content.decode()


def test_unknown_page_is_404(as_responder, db):
    assert as_responder.get(url("nope")).status_code == 404


def test_responders_see_no_edit_button_trainers_do(as_responder, as_trainer, page):
    assert (
        "Edit" not in as_responder.get(url()).content.decode().split("<main")[1].split("History")[0]
    )
    assert reverse("protocols:edit", args=[page.slug]) in as_trainer.get(url()).content.decode()


def test_raw_html_in_a_page_is_shown_as_text(as_responder, trainer):
    make_page("evil", author=trainer, body="<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    html = as_responder.get(url("evil")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_a_reader_is_offered_their_language(as_responder, trainer):
    english = make_page("breathing", author=trainer, translation_key="b")
    make_page("respirar", author=trainer, translation_key="b", language="es", title="Respirar")
    html = as_responder.get(url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Respirar" in html
    assert reverse("protocols:page", args=["respirar"]) in html
    assert english.translations().get().slug == "respirar"


def test_stale_page_carries_a_badge_for_everyone(as_responder, page):
    from django.utils import timezone

    page.review_due_at = timezone.now()
    page.save()
    assert "Review overdue" in as_responder.get(url()).content.decode()


def test_tree_slug_redirects_to_the_step_through(as_responder, tree):
    response = as_responder.get(url(tree.slug))
    assert response.status_code == 302
    assert response["Location"] == reverse("protocols:tree", args=[tree.slug])


def test_page_needs_few_queries(as_responder, page, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert as_responder.get(url()).status_code == 200
