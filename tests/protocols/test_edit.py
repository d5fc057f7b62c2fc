import time

from django.urls import reverse

from protocols.models import Protocol


def url(slug="breathing"):
    return reverse("protocols:edit", args=[slug])


def form(**changes):
    data = {
        "title": "Breathing",
        "category": "de-escalation",
        "review_interval_days": "180",
        "body": "# Breathe\n\nNew words.",
        "summary": "clearer",
        "base": "1",
    }
    data.update(changes)
    return data


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.get(url())["Location"].startswith("/accounts/login/")


def test_responders_may_not_edit(as_responder, page):
    assert as_responder.get(url()).status_code == 403
    assert as_responder.post(url(), form()).status_code == 403
    assert page.revisions.count() == 1


def test_unknown_page_is_404(as_trainer, db):
    assert as_trainer.get(url("nope")).status_code == 404


def test_trainer_sees_the_current_text_and_its_number(as_trainer, page):
    html = as_trainer.get(url()).content.decode()
    assert "Slow your own breathing" in html
    assert 'name="base" value="1"' in html


def test_saving_writes_a_new_revision(as_trainer, page, trainer):
    response = as_trainer.post(url(), form())
    assert response.status_code == 302
    current = Protocol.objects.get(pk=page.pk).current
    assert (current.number, current.body, current.summary, current.author) == (
        2,
        "# Breathe\n\nNew words.",
        "clearer",
        trainer,
    )
    assert page.revisions.get(number=1).body.startswith("# Breathe first")


def test_a_trainer_marks_and_unmarks_a_page_for_review_at_every_shift_start(as_trainer, page):
    as_trainer.post(url(), form(review_at_shift_start="on"))
    assert Protocol.objects.get(pk=page.pk).review_at_shift_start
    as_trainer.post(url(), form(base="2", summary="unmarked", body="# Breathe\n\nAgain."))
    assert not Protocol.objects.get(pk=page.pk).review_at_shift_start


def test_empty_and_oversized_bodies_are_refused(as_trainer, page):
    response = as_trainer.post(url(), form(body="   "))
    assert response.status_code == 200
    assert "Write the page before saving it." in response.content.decode()
    response = as_trainer.post(url(), form(body="x" * 100_001))
    assert "the most is 100000" in response.content.decode()
    assert page.revisions.count() == 1


def test_concurrent_edit_keeps_both_versions(as_trainer, page, coordinator):
    page.add_revision(author=coordinator, body="# Breathe\n\nTheir words.", summary="theirs")
    response = as_trainer.post(url(), form(body="# Breathe\n\nMy words."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "saved a newer version while you were editing" in html
    assert "Their words." in html  # their version is shown
    assert "My words." in html  # my text is still in the form
    assert 'name="base" value="2"' in html  # saving again now builds on theirs
    assert page.revisions.count() == 2
    assert Protocol.objects.get(pk=page.pk).current.body.endswith("Their words.")
    # Saving again from the refreshed form succeeds.
    response = as_trainer.post(url(), form(body="# Breathe\n\nMerged words.", base="2"))
    assert response.status_code == 302
    assert page.revisions.count() == 3


def test_preview_button_works_without_javascript(as_trainer, page):
    response = as_trainer.post(url(), {**form(body="**bold** <script>x</script>"), "preview": "1"})
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>x" not in html
    assert page.revisions.count() == 1


def test_police_presence_plan_keeps_its_sections(as_trainer, trainer):
    from protocols.police import template
    from tests.protocols.conftest import make_page

    plan = make_page("police", author=trainer, category="police-presence", body=template("en"))
    response = as_trainer.post(
        url("police"), form(category="police-presence", body="## Roles\n\nOnly this.")
    )
    html = response.content.decode()
    assert "A police-presence plan keeps every section" in html
    assert "When police arrive unsolicited" in html
    assert plan.revisions.count() == 1
    response = as_trainer.post(
        url("police"), form(category="police-presence", body=template("en") + "\nMore.")
    )
    assert response.status_code == 302


def test_trees_are_edited_in_the_tree_editor(as_trainer, tree):
    assert as_trainer.get(url(tree.slug)).status_code == 404


def test_linking_an_existing_page_as_a_translation(as_trainer, page, trainer):
    from tests.protocols.conftest import make_page

    spanish = make_page("respirar", author=trainer, language="es", title="Respirar")
    html = as_trainer.get(url()).content.decode()
    assert '<option value="respirar">Respirar</option>' in html
    response = as_trainer.post(url(), form(translation_of="respirar"))
    assert response.status_code == 302
    assert Protocol.objects.get(pk=page.pk).translation_key == spanish.translation_key


def test_linking_refused_when_that_language_is_taken(as_trainer, page, trainer):
    from tests.protocols.conftest import make_page

    make_page("respirar", author=trainer, language="es", translation_key="k")
    make_page("breathing-2", author=trainer, language="en", translation_key="k")
    response = as_trainer.post(url(), form(translation_of="respirar"))
    assert "already has a version in this language" in response.content.decode()
    assert Protocol.objects.get(pk=page.pk).translation_key != "k"
    assert page.revisions.count() == 1


def test_changing_the_interval_moves_the_due_date(as_trainer, page):
    before = page.review_due_at
    as_trainer.post(url(), form(review_interval_days="30"))
    after = Protocol.objects.get(pk=page.pk).review_due_at
    assert (before - after).days == 150


# Each "[x]" becomes a link holding the whole 20,000-character address: 240 MB of HTML.
EXPLODING = "[x]: https://example.org/" + "a" * 20_000 + "\n\n" + "[x] " * 12_000


def test_a_page_too_long_once_laid_out_is_refused(as_trainer, page):
    assert len(EXPLODING) < 100_000
    started = time.process_time()
    response = as_trainer.post(url(), form(body=EXPLODING))
    assert time.process_time() - started < 5
    assert response.status_code == 200
    assert "would be too long once laid out" in response.content.decode()
    assert page.revisions.count() == 1


def test_an_old_page_too_long_once_laid_out_is_shown_bounded(as_responder, page, trainer):
    page.add_revision(author=trainer, body=EXPLODING, summary="before the limit")
    started = time.process_time()
    response = as_responder.get(reverse("protocols:page", args=[page.slug]))
    assert time.process_time() - started < 5
    assert len(response.content) < 100_000
    assert "too long to lay out" in response.content.decode()
