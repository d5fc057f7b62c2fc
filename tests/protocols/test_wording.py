"""Protocol pages name who wrote what, and the tree editor names each node by its words."""

import re
from html import unescape

from django.core.management import call_command
from django.urls import reverse
from django.utils.html import strip_tags

from protocols.models import Protocol


def text(response) -> str:
    return " ".join(unescape(strip_tags(response.content.decode())).split())


def test_starter_pages_say_the_starter_library_wrote_them(as_responder):
    call_command("load_starter_protocols")
    protocol = Protocol.objects.filter(language="en", kind=Protocol.Kind.PAGE).first()
    page = text(as_responder.get(protocol.get_absolute_url()))
    assert "by the starter library" in page
    assert "by someone" not in page
    spanish = Protocol.objects.filter(language="es", kind=Protocol.Kind.PAGE).first()
    page = text(as_responder.get(spanish.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es"))
    assert "de la biblioteca inicial" in page


def test_history_says_a_restore_once(as_trainer, page, trainer):
    page.add_revision(author=trainer, body="newer")
    as_trainer.post(reverse("protocols:restore", args=[page.slug, 1]))
    history = text(as_trainer.get(reverse("protocols:history", args=[page.slug])))
    assert history.count("Restored revision 1") == 1
    assert "restored from" not in history
    spanish = text(
        as_trainer.get(reverse("protocols:history", args=[page.slug]), HTTP_ACCEPT_LANGUAGE="es")
    )
    assert "Restaurada la revisión 1" in spanish


def test_tree_editor_names_nodes_by_their_words(as_trainer, tree):
    html = as_trainer.get(reverse("protocols:tree_edit", args=[tree.slug])).content.decode()
    legends = [
        " ".join(unescape(legend).split())
        for legend in re.findall(r"<legend>(.*?)</legend>", html, re.S)
    ]
    assert "Question: Is anyone's life in danger right now?" in legends
    assert "Outcome: Emergency" in legends
    assert not any(re.fullmatch(r"(Question|Outcome) \d+", legend) for legend in legends)


def test_the_diff_table_says_text_not_message_in_spanish(as_responder, page, trainer):
    page.add_revision(author=trainer, body="newer")
    html = as_responder.get(
        reverse("protocols:compare", args=[page.slug]), {"a": 2, "b": 1}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert '<th scope="col">Texto</th>' in html
    assert "Mensaje" not in html


def test_a_starter_revision_names_its_summary_in_spanish(as_responder):
    call_command("load_starter_protocols")
    protocol = Protocol.objects.filter(language="es", kind=Protocol.Kind.PAGE).first()
    page = text(
        as_responder.get(
            reverse("protocols:revision", args=[protocol.slug, 1]), HTTP_ACCEPT_LANGUAGE="es"
        )
    )
    assert "Biblioteca inicial" in page
    assert "Starter library" not in page
