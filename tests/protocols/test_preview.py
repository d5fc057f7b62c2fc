from django.urls import reverse

URL = reverse("protocols:preview")


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.post(URL, {"body": "x"})["Location"].startswith("/accounts/login/")


def test_responders_may_not_preview(as_responder):
    assert as_responder.post(URL, {"body": "x"}).status_code == 403


def test_returns_only_the_sanitised_fragment(as_trainer):
    response = as_trainer.post(
        URL,
        {"body": "# Title\n\n<img src=x onerror=alert(1)> [c](javascript:x)"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.startswith('<div id="preview"')
    assert "<h1>Title</h1>" in html
    assert "<img" not in html and 'href="javascript' not in html
    assert "<html" not in html


def test_too_long_is_said_where_the_preview_goes(as_trainer):
    response = as_trainer.post(URL, {"body": "x" * 100_001})
    assert response.status_code == 200  # htmx swaps it in place of the preview
    html = response.content.decode()
    assert html.startswith('<div id="preview"')
    assert "The text is too long to preview." in html
    assert "xxxx" not in html
