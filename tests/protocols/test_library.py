import pytest
from django.db import connection
from django.urls import reverse

from tests.protocols.conftest import make_page, make_tree

URL = reverse("protocols:library")


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_grouped_by_category(as_responder, trainer):
    make_page("breathing", author=trainer, title="Breathing together")
    make_page("after-a-call", author=trainer, title="After a call", category="aftercare")
    make_tree(author=trainer)
    html = as_responder.get(URL).content.decode()
    assert html.index("De-escalation") < html.index("Breathing together")
    assert html.index("Emergency or crisis") < html.index("Crisis or emergency")
    assert html.index("Aftercare and follow-up") < html.index("After a call")
    assert "Decision tree" in html


def test_one_entry_per_translation_in_the_readers_language(as_responder, trainer):
    make_page("breathing", author=trainer, title="Breathing together", translation_key="b")
    make_page(
        "respirar", author=trainer, title="Respirar juntos", translation_key="b", language="es"
    )
    english = as_responder.get(URL).content.decode()
    assert "Breathing together" in english
    assert "Respirar juntos" not in english
    assert reverse("protocols:page", args=["respirar"]) in english  # offered as "also in"
    spanish = as_responder.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Respirar juntos" in spanish
    assert "Breathing together" not in spanish


def test_filter_by_category_and_language(as_responder, trainer):
    make_page("breathing", author=trainer, title="Breathing together")
    make_page("after-a-call", author=trainer, title="After a call", category="aftercare")
    make_page("despues", author=trainer, title="Después", category="aftercare", language="es")
    html = as_responder.get(URL, {"category": "aftercare", "language": "es"}).content.decode()
    assert "Después" in html
    assert "After a call" not in html and "Breathing together" not in html


def test_bad_filter_is_ignored_with_a_message(as_responder, trainer):
    make_page("breathing", author=trainer, title="Breathing together")
    response = as_responder.get(URL, {"category": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Breathing together" in response.content.decode()


def test_search_titles_and_bodies(as_responder, trainer):
    make_page(
        "breathing", author=trainer, title="Breathing together", body="Sit beside the person."
    )
    make_page(
        "after-a-call",
        author=trainer,
        title="After a call",
        category="aftercare",
        body="Debrief with your partner.",
    )
    html = as_responder.get(URL, {"q": "debrief"}).content.decode()
    assert "After a call" in html and "Breathing together" not in html
    assert "1 result" in html
    html = as_responder.get(URL, {"q": "breathing"}).content.decode()
    assert "Breathing together" in html and "After a call" not in html
    assert "Nothing matches" in as_responder.get(URL, {"q": "zebra"}).content.decode()


def test_search_uses_the_latest_revision_only(as_responder, trainer):
    page = make_page("breathing", author=trainer, title="Calm", body="old words about ladders")
    page.add_revision(author=trainer, body="new words about bridges")
    assert "Nothing matches" in as_responder.get(URL, {"q": "ladders"}).content.decode()
    assert "Calm" in as_responder.get(URL, {"q": "bridges"}).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_full_text_search_stems_words_in_each_language(as_responder, trainer):
    make_page(
        "after-a-call", author=trainer, title="After a call", body="The team debriefed together."
    )
    make_page(
        "despues", author=trainer, title="Después", language="es", body="Las compañeras llamaron."
    )
    assert "After a call" in as_responder.get(URL, {"q": "debriefing"}).content.decode()
    assert "Después" in as_responder.get(URL, {"q": "llamar"}).content.decode()


def test_trainers_get_the_tools_responders_do_not(as_trainer, as_responder, db):
    assert reverse("protocols:new") in as_trainer.get(URL).content.decode()
    assert reverse("protocols:new") not in as_responder.get(URL).content.decode()


def test_constant_queries(as_responder, trainer, django_assert_max_num_queries):
    for number in range(15):
        make_page(f"page-{number}", author=trainer)
    with django_assert_max_num_queries(8):
        as_responder.get(URL)
