from django.urls import reverse


def url(slug="breathing"):
    return reverse("protocols:compare", args=[slug])


def test_anonymous_is_sent_to_sign_in(client, page):
    assert client.get(url(), {"a": 1, "b": 1})["Location"].startswith("/accounts/login/")


def test_shows_removed_and_added_lines(as_responder, page, trainer):
    page.add_revision(author=trainer, body=page.current.body.replace("Sit at", "Kneel at"))
    html = as_responder.get(url(), {"a": 2, "b": 1}).content.decode()
    assert "<del>Sit</del> at the same level" in html
    assert "<ins>Kneel</ins> at the same level" in html
    assert html.index("<del>Sit</del>") < html.index("<ins>Kneel</ins>")
    assert "revision 1 → 2" in html


def test_the_same_revision_twice(as_responder, page):
    assert (
        "The two texts are the same." in as_responder.get(url(), {"a": 1, "b": 1}).content.decode()
    )


def test_bad_choices(as_responder, page):
    response = as_responder.get(url(), {"a": "x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("protocols:history", args=["breathing"])
    assert as_responder.get(url(), {"a": 1, "b": 9}).status_code == 404


def test_diff_text_is_escaped(as_responder, page, trainer):
    page.add_revision(author=trainer, body="<script>alert(1)</script>")
    html = as_responder.get(url(), {"a": 1, "b": 2}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
