import time

from django.urls import reverse


def url(slug):
    return reverse("protocols:print", args=[slug])


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.get(url(page.slug))["Location"].startswith("/accounts/login/")


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


def converging_tree(questions: int = 38, guidance: str = "") -> dict:
    """A valid tree of `questions` questions of 8 answers: at every question, seven
    answers end at one shared outcome and the eighth asks the next question."""
    guidance = guidance or ("Stay with the person. " * 1000)[:20_000]
    nodes = []
    for number in range(questions):
        following = f"q{number + 1}" if number + 1 < questions else "other"
        nodes.append(
            {
                "id": f"q{number}",
                "type": "question",
                "text": f"Question {number}?",
                "answers": [{"label": f"Answer {a}", "next": "shared"} for a in range(7)]
                + [{"label": "Something else", "next": following}],
            }
        )
    nodes.append(
        {"id": "shared", "type": "outcome", "title": "Shared", "guidance": guidance, "links": []}
    )
    nodes.append({"id": "other", "type": "outcome", "title": "Other", "guidance": "", "links": []})
    return {"start": "q0", "nodes": nodes}


def test_a_converging_tree_prints_each_step_once_and_quickly(as_responder, trainer):
    from protocols import trees
    from tests.protocols.conftest import make_tree

    doc = converging_tree()  # 40 nodes, the most a tree may have
    assert trees.validate(doc) == []
    make_tree("converging", author=trainer, doc=doc)
    started = time.process_time()
    response = as_responder.get(url("converging"))
    elapsed = time.process_time() - started
    html = response.content.decode()
    assert response.status_code == 200
    assert elapsed < 2, elapsed
    guidance = doc["nodes"][-2]["guidance"]
    assert html.count("Stay with the person.") == guidance.count("Stay with the person.")  # once
    assert html.count("Question 37?") == 1
    # The shared outcome is step 2 (the first answer reaches it first); every
    # other answer that reaches it refers back to it.
    assert html.count('href="#step-2"') == 38 * 7 - 1
    assert "see step 2" in html
    assert len(html) < 200_000


def test_a_rejoining_path_says_see_step_n(as_responder, tree):
    html = as_responder.get(url(tree.slug)).content.decode()
    outline = html.split('class="outline"', 1)[1]
    # 1 Is anyone…? → Yes: 2 Emergency; No: 3 Can the person talk…? → Yes: 4 Listen; No: see step 2
    assert outline.count("Call for") == 1
    assert 'id="step-2"' in outline and 'id="step-4"' in outline
    assert "see step 2" in outline
    assert outline.index("Can the person talk") < outline.index("see step 2")


def test_an_old_tree_too_long_once_laid_out_prints_bounded(as_responder, trainer):
    """Saved before the limit: the printout stops laying out guidance at the limit."""
    from tests.protocols.conftest import make_tree

    # Each "[x]" becomes a link holding the whole 5,000-character address.
    exploding = "[x]: https://example.org/" + "a" * 5_000 + "\n\n" + "[x] " * 3_000
    doc = converging_tree(questions=3, guidance=exploding)
    make_tree("exploding", author=trainer, doc=doc)
    started = time.process_time()
    response = as_responder.get(url("exploding"))
    elapsed = time.process_time() - started
    html = response.content.decode()
    assert response.status_code == 200
    assert elapsed < 2, elapsed
    assert len(html) < 2_000_000
    assert "too long to lay out" in html
