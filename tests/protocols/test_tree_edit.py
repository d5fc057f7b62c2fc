import re
from html import unescape

import pytest
from django.urls import reverse

from protocols.models import Protocol
from tests.html_tags import field_order, field_values, tags
from tests.protocols.conftest import make_page


def url(slug="crisis-or-emergency"):
    return reverse("protocols:tree_edit", args=[slug])


def fields(doc, **extra):
    """The editor's form fields for `doc`, as the browser would post them."""
    data = {
        "start": doc["start"],
        "n-count": str(len(doc["nodes"])),
        "base": "1",
        "summary": "",
        "meta-title": "Crisis or emergency",
        "meta-category": "emergency-or-crisis",
        "meta-review_interval_days": "180",
    }
    for i, node in enumerate(doc["nodes"]):
        data[f"n{i}-id"] = node["id"]
        data[f"n{i}-type"] = node["type"]
        if node["type"] == "question":
            data[f"n{i}-text"] = node["text"]
            data[f"n{i}-a-count"] = str(len(node["answers"]))
            for j, answer in enumerate(node["answers"]):
                data[f"n{i}-a{j}-label"] = answer["label"]
                data[f"n{i}-a{j}-next"] = answer["next"]
        else:
            data[f"n{i}-title"] = node["title"]
            data[f"n{i}-guidance"] = node["guidance"]
            data[f"n{i}-links"] = " ".join(node["links"])
    data.update(extra)
    return data


def test_anonymous_is_sent_to_sign_in(client, tree):
    assert client.get(url())["Location"].startswith("/accounts/login/")


def test_responders_may_not_edit(as_responder, tree):
    assert as_responder.get(url()).status_code == 403
    assert as_responder.post(url(), fields(tree.current.document, step="save")).status_code == 403


def test_pages_and_unknown_are_404(as_trainer, page):
    assert as_trainer.get(url(page.slug)).status_code == 404
    assert as_trainer.get(url("nope")).status_code == 404


def test_the_editor_shows_every_node(as_trainer, tree):
    html = as_trainer.get(url()).content.decode()
    assert field_values(html)["n3-id"] == "listen"
    assert "Can the person talk with you calmly?" in html
    assert '<option value="emergency" selected>' in html


def test_saving_an_edit_writes_a_revision(as_trainer, tree, trainer):
    doc = tree.current.document
    data = fields(doc, step="save", summary="kinder words", **{"n1-text": "Can they talk calmly?"})
    response = as_trainer.post(url(), data)
    assert response.status_code == 302
    current = Protocol.objects.get(pk=tree.pk).current
    assert current.number == 2 and current.summary == "kinder words"
    assert current.document["nodes"][1]["text"] == "Can they talk calmly?"


def test_invalid_tree_is_not_saved_and_the_node_is_named(as_trainer, tree):
    doc = tree.current.document
    data = fields(doc, step="save", **{"n1-a0-next": ""})
    response = as_trainer.post(url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The tree was not saved" in html
    node = html.split('id="node-1"')[1].split("</fieldset>")[0]
    assert "answer 1 does not lead anywhere." in node
    assert tree.revisions.count() == 1


def test_a_link_to_a_missing_page_is_refused(as_trainer, tree, trainer):
    make_page("breathing", author=trainer)
    doc = tree.current.document
    response = as_trainer.post(url(), fields(doc, step="save", **{"n3-links": "breathing ghost"}))
    assert "links to “ghost”, but there is no such protocol page." in response.content.decode()
    response = as_trainer.post(url(), fields(doc, step="save", **{"n3-links": "breathing"}))
    assert response.status_code == 302


def test_add_reorder_and_remove_without_saving(as_trainer, tree):
    doc = tree.current.document
    html = as_trainer.post(url(), fields(doc, step="add-outcome")).content.decode()
    assert field_values(html)["n4-id"] == "outcome-1"
    html = as_trainer.post(url(), fields(doc, step="add-question")).content.decode()
    assert field_values(html)["n4-id"] == "question-1"
    html = as_trainer.post(url(), fields(doc, step="add-answer:0")).content.decode()
    assert field_values(html)["n0-a-count"] == "3"
    html = as_trainer.post(url(), fields(doc, step="down-answer:0:0")).content.decode()
    values = field_values(html)
    assert (values["n0-a0-label"], values["n0-a1-label"]) == ("No", "Yes")
    order = field_order(html)
    assert order.index("n0-a0-label") < order.index("n0-a1-label")
    html = as_trainer.post(url(), fields(doc, step="up:3")).content.decode()
    assert field_values(html)["n2-id"] == "listen"
    html = as_trainer.post(url(), fields(doc, step="remove:3")).content.decode()
    assert "listen" not in field_values(html).values()
    assert tree.revisions.count() == 1  # nothing saved by any of these


def test_removing_a_node_others_point_to_is_caught_on_save(as_trainer, tree):
    doc = tree.current.document
    doc["nodes"].pop(3)  # "listen"
    response = as_trainer.post(url(), fields(doc, step="save"))
    assert "answer 1 leads to “listen”, which does not exist." in response.content.decode()


def test_a_loop_is_refused(as_trainer, tree):
    doc = tree.current.document
    response = as_trainer.post(url(), fields(doc, step="save", **{"n1-a1-next": "danger"}))
    assert "making a loop" in response.content.decode()
    assert tree.revisions.count() == 1


def test_concurrent_tree_edit_keeps_the_draft(as_trainer, tree, coordinator):
    from protocols import trees

    theirs = tree.current.document
    theirs["nodes"][3]["title"] = "Their listen"
    tree.add_revision(author=coordinator, body=trees.to_yaml(theirs))
    doc = tree.current.document
    response = as_trainer.post(
        url(), fields(doc, step="save", **{"n3-title": "My listen", "base": "1"})
    )
    html = response.content.decode()
    assert "saved a newer version of this tree" in html
    assert 'value="My listen"' in html and "Their listen" in html
    assert 'name="base" value="2"' in html
    assert tree.revisions.count() == 2


def test_garbage_counts_do_not_crash(as_trainer, tree):
    response = as_trainer.post(url(), {"n-count": "99999", "step": "save", "start": "x"})
    assert response.status_code == 400
    assert tree.revisions.count() == 1


def test_title_category_and_interval_are_edited_with_the_tree(as_trainer, tree):
    doc = tree.current.document
    data = fields(
        doc,
        step="save",
        **{
            "meta-title": "Is it an emergency?",
            "meta-category": "other",
            "meta-review_interval_days": "30",
        },
    )
    assert as_trainer.post(url(), data).status_code == 302
    protocol = Protocol.objects.get(pk=tree.pk)
    assert (protocol.title, protocol.category, protocol.review_interval_days) == (
        "Is it an emergency?",
        "other",
        30,
    )


def test_bad_settings_save_nothing(as_trainer, tree):
    doc = tree.current.document
    data = fields(
        doc,
        step="save",
        **{"meta-title": "", "meta-category": "other", "meta-review_interval_days": "3"},
    )
    response = as_trainer.post(url(), data)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert tree.revisions.count() == 1
    assert Protocol.objects.get(pk=tree.pk).title == "Crisis or emergency"


def test_digits_other_than_ascii_are_not_numbers(as_trainer, tree):
    doc = tree.current.document
    for extra in (
        {"n-count": "²", "step": "save"},
        {"n-count": "٣", "step": "save"},
        {"n0-a-count": "²"},
        {"base": "²"},
        {"base": "٣"},
        {"step": "remove:²"},
        {"step": "up-answer:0:٣"},
        {"step": "down:３"},
    ):
        data = fields(doc, **extra)
        response = as_trainer.post(url(), data)
        assert response.status_code in (200, 400), extra
        assert tree.revisions.count() == 1, extra
    # '٣' is not 3: no node is removed.
    response = as_trainer.post(url(), fields(doc, step="remove:٣"))
    assert response.content.decode().count('class="tree-node') == len(doc["nodes"])


def test_a_tree_too_long_once_laid_out_is_refused(as_trainer, tree):
    # 20 kB of guidance whose links repeat one long address: 18 MB of HTML.
    exploding = "[x]: https://example.org/" + "a" * 5_000 + "\n\n" + "[x] " * 3_700
    doc = tree.current.document
    emergency = next(i for i, n in enumerate(doc["nodes"]) if n["id"] == "emergency")
    response = as_trainer.post(url(), fields(doc, **{f"n{emergency}-guidance": exploding}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The tree was not saved" in html
    assert "the guidance would be too long once laid out" in html
    assert tree.revisions.count() == 1


HTMX = {"HX-Request": "true"}


def test_with_htmx_a_step_answers_with_the_nodes_alone(as_trainer, tree):
    doc = tree.current.document
    count = len(doc["nodes"])
    response = as_trainer.post(url(), fields(doc, step="add-outcome"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    # Only the part that changed: no page around it, nothing saved.
    assert "<html" not in html and "Save the tree" not in html and "About this tree" not in html
    assert html.lstrip().startswith('<div id="tree-nodes"')
    assert field_values(html)["n-count"] == str(count + 1)
    # The new outcome's first field has the focus, so the trainer carries on there.
    focused = [attrs for attrs in tags(html) if "autofocus" in attrs]
    assert [(f["id"], f["value"]) for f in focused] == [(f"n{count}-id", "outcome-1")]
    assert Protocol.objects.get(pk=tree.pk).current.number == 1


def test_a_moved_node_keeps_the_focus_on_its_button(as_trainer, tree):
    doc = tree.current.document
    html = as_trainer.post(url(), fields(doc, step="down:1"), headers=HTMX).content.decode()
    assert field_values(html)["n2-id"] == doc["nodes"][1]["id"]
    focused = [attrs for attrs in tags(html) if "autofocus" in attrs]
    assert [f["id"] for f in focused] == ["n2-down"]


def test_without_htmx_a_step_answers_with_the_whole_form(as_trainer, tree):
    doc = tree.current.document
    html = as_trainer.post(url(), fields(doc, step="remove:3")).content.decode()
    assert "<html" in html and "Save the tree" in html
    assert f'name="n-count" value="{len(doc["nodes"]) - 1}"' in html


def test_the_error_summary_links_to_each_field(as_trainer, tree):
    doc = tree.current.document
    data = fields(doc, step="save", **{"n1-a0-next": "", "meta-title": ""})
    html = as_trainer.post(url(), data).content.decode()
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#n1-id"' in summary and 'id="n1-id"' in html
    assert 'href="#id_meta-title"' in summary and 'id="id_meta-title"' in html
    assert "2 problems to fix" in summary


def _removed_field(html):
    value = field_values(html).get("removed")
    assert value, "no Undo after a removal"
    return value


def _node_ids(html):
    return [v for name, v in field_values(html).items() if re.fullmatch(r"n\d+-id", name)]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["no-js", "htmx"])
def test_a_removed_node_comes_back_with_undo(as_trainer, tree, headers):
    doc = tree.current.document
    node = doc["nodes"][1]
    html = as_trainer.post(url(), fields(doc, step="remove:1"), headers=headers).content.decode()
    assert f"Removed: Question: {node['text']}" in html
    left = {**doc, "nodes": [n for i, n in enumerate(doc["nodes"]) if i != 1]}
    removed = _removed_field(html)
    html = as_trainer.post(
        url(), fields(left, step="undo", removed=removed), headers=headers
    ).content.decode()
    assert _node_ids(html) == [n["id"] for n in doc["nodes"]]
    assert unescape(node["text"]) in unescape(html) and "Removed:" not in html
    assert [a.get("id") for a in tags(html) if "autofocus" in a] == ["n1-id"]
    assert tree.revisions.count() == 1


def test_a_removed_answer_comes_back_with_undo(as_trainer, tree):
    doc = tree.current.document
    answer = doc["nodes"][0]["answers"][0]
    html = as_trainer.post(url(), fields(doc, step="remove-answer:0:0")).content.decode()
    assert f"Removed: Answer 1 “{answer['label']}”" in html
    removed = _removed_field(html)
    first = {**doc["nodes"][0], "answers": doc["nodes"][0]["answers"][1:]}
    left = {**doc, "nodes": [first, *doc["nodes"][1:]]}
    html = as_trainer.post(url(), fields(left, step="undo", removed=removed)).content.decode()
    values = field_values(html)
    assert values["n0-a0-label"] == answer["label"]
    assert values["n0-a-count"] == str(len(doc["nodes"][0]["answers"]))


@pytest.mark.parametrize(
    "removed",
    ["", "not json", "[]", '{"at": [99]}', '{"at": [-1]}', '{"at": [0, 0, 0]}', '{"at": ["0"]}'],
)
def test_a_mangled_undo_changes_nothing(as_trainer, tree, removed):
    doc = tree.current.document
    response = as_trainer.post(url(), fields(doc, step="undo", removed=removed))
    assert response.status_code == 200
    assert _node_ids(response.content.decode()) == [n["id"] for n in doc["nodes"]]
