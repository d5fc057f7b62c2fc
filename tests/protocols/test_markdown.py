"""The sanitiser: whatever a page holds, the HTML it becomes is inert."""

from html.parser import HTMLParser

import pytest

from protocols.markdown import ALLOWED_TAGS, clean_html, render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "<svg onload=alert(1)><circle r=1></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<style>body{background:url(//evil.example/x)}</style>",
    "<iframe src=//evil.example></iframe>",
    "<object data=//evil.example/x.swf></object>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<div <script>alert(1)</script>",
    "[a](<javascript:alert(1)>)",
    "<a href='java\tscript:alert(1)'>x</a>",
]


class Elements(HTMLParser):
    """Every real element and attribute in an HTML fragment (escaped text is not one)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    for tag, attrs in Elements(html).found:
        assert tag in ALLOWED_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name in ("href", "src"):
                scheme = value.split(":", 1)[0].lower() if ":" in value else ""
                assert scheme in ("", "http", "https", "mailto", "tel", "sms"), html
            if name == "src":
                assert value.startswith("/") and not value.startswith("//"), html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload):
    assert_inert(str(render(payload)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_html_layer_alone_also_makes_them_inert(payload):
    """Even if the Markdown layer ever let HTML through, nh3 would still clean it."""
    html = clean_html(payload)
    assert_inert(html)


def test_dangerous_elements_are_dropped_with_their_content():
    for tag in ("script", "style", "iframe", "object", "svg", "math", "template", "noscript"):
        assert clean_html(f"<{tag}>evil.example</{tag}>kept") == "kept", tag


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[call](tel:+15550100)", 'href="tel:+15550100"'),
        ("[text](sms:+15550100)", 'href="sms:+15550100"'),
        ("[mail](mailto:team@example.org)", 'href="mailto:team@example.org"'),
        ("[site](https://example.org/)", 'href="https://example.org/"'),
        ("**bold**", "<strong>bold</strong>"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "<td>1</td>"),
        ("~~gone~~", "<s>gone</s>"),
    ],
)
def test_ordinary_markdown_survives(source, expected):
    assert expected in str(render(source))


def test_links_get_noopener_noreferrer():
    assert 'rel="noopener noreferrer"' in str(render("[x](https://example.org)"))


def test_images_only_from_this_server():
    assert 'src="/static/map.png"' in str(render("![map](/static/map.png)"))
    assert "evil" not in str(render("![map](https://evil.example/map.png)"))
    assert "evil" not in str(render("![map](//evil.example/map.png)"))


def test_raw_html_shows_as_text():
    assert "&lt;b&gt;" in str(render("<b>hi</b>"))
