from django.urls import reverse

from tests.protocols.conftest import make_page


def url(slug="crisis-or-emergency"):
    return reverse("protocols:tree", args=[slug])


def test_anonymous_is_sent_to_sign_in(client, tree):
    assert client.get(url())["Location"].startswith("/accounts/login/")


def test_unknown_or_a_page_is_404(as_responder, page):
    assert as_responder.get(url("nope")).status_code == 404
    assert as_responder.get(url(page.slug)).status_code == 404


def test_first_screen_asks_the_start_question(as_responder, tree):
    html = as_responder.get(url()).content.decode()
    assert "Is anyone&#x27;s life in danger right now?" in html
    assert 'href="?path=0"' in html and 'href="?path=1"' in html
    assert "Start again" not in html


def test_one_question_per_screen_with_back_and_restart(as_responder, tree):
    html = as_responder.get(url(), {"path": "1"}).content.decode()
    assert "Can the person talk with you calmly?" in html
    assert "Is anyone&#x27;s life in danger right now?" in html  # in the answers so far
    assert 'href="?path=1.0"' in html
    assert 'href="?path="' in html  # back to the first question
    assert f'href="{url()}"' in html  # start again


def test_outcome_lists_the_answers_that_led_there(as_responder, tree):
    html = as_responder.get(url(), {"path": "1.1"}).content.decode()
    assert "<h2>Emergency</h2>" in html
    assert "You got here because:" in html
    because = html.split("You got here because:")[1]
    assert because.index("Is anyone") < because.index("Can the person talk")
    assert "<strong>No</strong>" in because
    assert '<a href="tel:+15550100" rel="noopener noreferrer">call</a>' in html


def test_outcome_links_to_protocol_pages(as_responder, trainer):
    from protocols import trees
    from tests.protocols.conftest import SIMPLE_TREE, make_tree

    make_page("breathing", author=trainer, title="Breathing together")
    doc = trees.from_yaml(trees.to_yaml(SIMPLE_TREE))
    doc["nodes"][3]["links"] = ["breathing"]
    make_tree(author=trainer, doc=doc)
    html = as_responder.get(url(), {"path": "1.0"}).content.decode()
    assert "Breathing together" in html
    assert reverse("protocols:page", args=["breathing"]) in html


def test_a_path_that_does_not_fit_starts_again_with_a_message(as_responder, tree):
    for bad in ("7", "1.0.0", "x", "0..1", "-1"):
        response = as_responder.get(url(), {"path": bad})
        assert response.status_code == 302, bad
        assert response["Location"] == url()
    html = as_responder.get(url(), {"path": "9"}, follow=True).content.decode()
    assert "That link does not fit this tree" in html


def test_works_at_phone_width_without_scripts(as_responder, tree):
    html = as_responder.get(url()).content.decode()
    assert 'class="answer"' in html
    assert "<script>" not in html.split("<main")[1]


def test_each_step_needs_few_queries(as_responder, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert as_responder.get(url(), {"path": "1.0"}).status_code == 200


def test_an_overdue_tree_says_so_on_every_step(as_responder, tree):
    from django.utils import timezone

    tree.review_due_at = timezone.now()
    tree.save()
    for path in ("", "1", "1.0"):
        assert "Review overdue" in as_responder.get(url(), {"path": path}).content.decode(), path


def test_outcome_links_lead_to_the_readers_language(as_responder, trainer):
    from protocols import trees
    from tests.protocols.conftest import SIMPLE_TREE, make_tree

    make_page("breathing", author=trainer, title="Breathing together", translation_key="b")
    make_page(
        "respirar", author=trainer, title="Respirar juntas", translation_key="b", language="es"
    )
    doc = trees.from_yaml(trees.to_yaml(SIMPLE_TREE))
    doc["nodes"][3]["links"] = ["breathing"]
    make_tree(author=trainer, doc=doc)
    html = as_responder.get(url(), {"path": "1.0"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Respirar juntas" in html
    assert reverse("protocols:page", args=["respirar"]) in html
    assert "Breathing together" not in html


def test_digits_other_than_ascii_start_again_with_a_message(as_responder, tree):
    # '²'.isdigit() is True but int('²') fails; int('٣') is 3.
    for bad in ("²", "0.²", "٣", "0.１", "１", "0.0.𝟘"):
        response = as_responder.get(url(), {"path": bad})
        assert response.status_code == 302, bad
        assert response["Location"] == url()
