import re

from django.urls import reverse

from protocols.models import Protocol
from protocols.police import headings
from tests.protocols.conftest import make_page

URL = reverse("protocols:new")


def form(**changes):
    data = {
        "title": "Listening well",
        "slug": "listening-well",
        "kind": "page",
        "category": "de-escalation",
        "language": "en",
        "review_interval_days": "90",
        "body": "Listen first.",
        "summary": "",
        "translation_of": "",
    }
    data.update(changes)
    return data


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_only_trainers(as_responder, as_coordinator):
    assert as_responder.get(URL).status_code == 403
    assert as_coordinator.post(URL, form()).status_code == 403
    assert not Protocol.objects.exists()


def test_creates_a_page_with_its_first_revision(as_trainer, trainer):
    response = as_trainer.post(URL, form())
    assert response.status_code == 302
    protocol = Protocol.objects.get(slug="listening-well")
    assert response["Location"] == protocol.get_absolute_url()
    assert protocol.current.body == "Listen first."
    assert protocol.current.author == trainer
    assert not protocol.is_stale


def test_bad_input_changes_nothing(as_trainer, trainer):
    make_page("taken", author=trainer)
    for bad in (
        form(slug="taken"),
        form(slug="new"),
        form(slug="Not a slug!"),
        form(body=""),
        form(review_interval_days="0"),
        form(language="fr"),
    ):
        response = as_trainer.post(URL, bad)
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert Protocol.objects.count() == 1


def test_translation_joins_the_original(as_trainer, trainer):
    original = make_page("breathing", author=trainer)
    html = as_trainer.get(URL, {"translation_of": "breathing"}).content.decode()
    assert "Translate “Breathing”" in html
    assert "Slow your own breathing" in html  # starts from the original text
    response = as_trainer.post(
        URL, form(slug="respirar", title="Respirar", language="es", translation_of="breathing")
    )
    assert response.status_code == 302
    assert Protocol.objects.get(slug="respirar").translation_key == original.translation_key


def test_a_second_translation_in_the_same_language_is_refused(as_trainer, trainer):
    make_page("breathing", author=trainer, translation_key="b")
    make_page("respirar", author=trainer, translation_key="b", language="es")
    response = as_trainer.post(
        URL, form(slug="respirar-2", language="es", translation_of="breathing")
    )
    assert "already has a version in this language" in response.content.decode()
    assert not Protocol.objects.filter(slug="respirar-2").exists()


def test_police_plan_starts_from_the_template(as_trainer):
    html = as_trainer.get(URL, {"category": "police-presence"}).content.decode()
    for heading in headings("en"):
        assert f"## {heading}" in html
    # Reviewed at the start of every shift unless the trainer unticks it.
    box = re.compile(r'<input[^>]*name="review_at_shift_start"[^>]*>')
    assert "checked" in box.findall(html)[0]
    assert "checked" not in box.findall(as_trainer.get(URL).content.decode())[0]


def test_a_trainer_marks_a_page_for_review_at_every_shift_start(as_trainer):
    as_trainer.post(URL, form(review_at_shift_start="on"))
    as_trainer.post(URL, form(slug="other", title="Other"))
    assert dict(Protocol.objects.values_list("slug", "review_at_shift_start")) == {
        "listening-well": True,
        "other": False,
    }


def test_a_new_tree_starts_valid_and_opens_the_editor(as_trainer):
    response = as_trainer.post(URL, form(kind="tree", slug="a-tree", body=""))
    protocol = Protocol.objects.get(slug="a-tree")
    assert response["Location"] == reverse("protocols:tree_edit", args=["a-tree"])
    assert protocol.current.document["start"] == "first-question"


def test_translating_a_tree_starts_from_a_copy(as_trainer, tree):
    response = as_trainer.post(
        URL,
        form(
            kind="tree",
            slug="arbol",
            title="Árbol",
            language="es",
            translation_of=tree.slug,
            body="",
        ),
    )
    assert response["Location"] == reverse("protocols:tree_edit", args=["arbol"])
    copy = Protocol.objects.get(slug="arbol")
    assert copy.current.document == tree.current.document
    assert copy.translation_key == tree.translation_key
