"""Malicious Markdown and HTML render inert in a real browser, wherever protocol text appears.

Every payload tries to run script (setting window.__xss or opening a dialog) or to
make the browser fetch from another host. The test records every dialog, every
console error and every request, and asserts none of it happened.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from protocols import trees
from protocols.models import Protocol
from tests.browser.conftest import sign_in
from tests.browser.journeys import restore_roles
from tests.factory import PASSWORD, make_person

EVIL = "http://evil.example"
PAYLOADS = [
    "[safe call](tel:+15550100) [safe text](sms:+15550100)",
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=1;alert(1)">',
    f'<img src="{EVIL}/img.png">',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    f"<style>@import url({EVIL}/x.css); body{{background:url({EVIL}/bg.png)}}</style>",
    f'<iframe src="{EVIL}/frame"></iframe>',
    f'<object data="{EVIL}/x.swf"></object><embed src="{EVIL}/x.swf">',
    f'<meta http-equiv="refresh" content="0;url={EVIL}/">',
    f'<link rel="stylesheet" href="{EVIL}/x.css"><link rel=prefetch href="{EVIL}/p">',
    '<a href="javascript:alert(1)">html js link</a>',
    "<details open ontoggle=alert(1)>x</details>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video><audio src=x onerror=alert(1)>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    '<base href="http://evil.example/">',
    "<<script>script>alert(1)<</script>/script>",
    "<div <script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><img src=x onerror=alert(1)></template>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
    "[md js link](javascript:alert(1))",
    "[md js upper](JAVASCRIPT:alert(1))",
    "[md js entity](&#106;avascript:alert(1))",
    "[md js tab](java\tscript:alert(1))",
    "[md vbscript](vbscript:msgbox(1))",
    "[md data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[md angle](<javascript:alert(1)>)",
    f"![md remote image]({EVIL}/track.png)",
    "![md protocol-relative](//evil.example/track.png)",
    "![md js image](javascript:alert(1))",
    "![md data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[ref link][r]\n\n[r]: javascript:alert(1)",
    f"![ref image][i]\n\n[i]: {EVIL}/ref.png",
    '[x](https://example.org "title\\" onmouseover=alert(1) x=\\"")',
    "`<script>alert(1)</script>` and ```\n<img src=x onerror=alert(1)>\n```",
    '<a href="tel:+15550100" onclick="alert(1)">call</a>',
]
BODY = "\n\n".join(f"Case {n}: {payload}" for n, payload in enumerate(PAYLOADS))
TITLE = "<img src=x onerror=alert(1)> Title"


def make_tree(author) -> Protocol:
    doc = {
        "start": "q",
        "nodes": [
            {
                "id": "q",
                "type": "question",
                "text": "<script>alert(1)</script> Question?",
                "answers": [
                    {"label": "<img src=x onerror=alert(1)> Yes", "next": "bad"},
                    {"label": "[No](javascript:alert(1))", "next": "bad"},
                ],
            },
            {
                "id": "bad",
                "type": "outcome",
                "title": "<b onmouseover=alert(1)>Out</b>",
                "guidance": BODY,
                "links": [],
            },
        ],
    }
    tree = Protocol.objects.create(slug="xss-tree", title=TITLE, kind="tree", language="en")
    tree.add_revision(author=author, body=trees.to_yaml(doc))
    return tree


class Recorder:
    def __init__(self, page, origin: str):
        self.origin = origin
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(url)
            route.abort()
        else:
            route.continue_()

    def assert_inert(self, page) -> None:
        page.wait_for_timeout(300)  # let any (unexpected) onerror/onload handlers fire
        assert page.evaluate("window.__xss") is None, page.url
        assert self.dialogs == [], (page.url, self.dialogs)
        assert self.foreign == [], (page.url, self.foreign)
        assert self.errors == [], (page.url, self.errors)


@pytest.mark.django_db(transaction=True)
def test_xss_payloads_are_inert_everywhere_protocol_text_appears(phone, live_server):
    restore_roles()  # earlier transactional tests flush the groups a migration made
    trainer = make_person("trainer", "Trainer", "Responder", display_name="Ade Trainer")
    page = Protocol.objects.create(slug="xss-page", title=TITLE, language="en")
    page.add_revision(author=trainer, body="A harmless first version.")
    page.add_revision(author=trainer, body=BODY, summary="<script>alert(1)</script>")
    make_tree(trainer)
    recorder = Recorder(phone, live_server.url)
    sign_in(phone, "trainer", PASSWORD)

    for path in (
        "/protocols/",
        "/protocols/?q=script",
        "/protocols/xss-page/",
        "/protocols/xss-page/print/",
        "/protocols/xss-page/history/",
        "/protocols/xss-page/compare/?a=1&b=2",
        "/protocols/xss-page/revisions/2/",
        "/protocols/xss-page/edit/",
        "/protocols/trees/xss-tree/",
        "/protocols/trees/xss-tree/?path=0",
        "/protocols/xss-tree/print/",
        "/protocols/trees/xss-tree/edit/",
    ):
        phone.goto(path)
        recorder.assert_inert(phone)

    # The safe links survive as links.
    phone.goto("/protocols/xss-page/")
    assert phone.locator('.protocol-body a[href="tel:+15550100"]').count() == 1
    assert phone.locator('.protocol-body a[href="sms:+15550100"]').count() == 1
    assert (
        phone.locator(".protocol-body script, .protocol-body iframe, .protocol-body svg").count()
        == 0
    )

    # The live preview swaps the same payloads into the page through htmx.
    phone.goto("/protocols/xss-page/edit/")
    phone.get_by_label("Text (Markdown)").fill(BODY + "\n\nPreview done.")
    phone.locator("#preview").get_by_text("Preview done.").wait_for()
    recorder.assert_inert(phone)
    # And the no-JavaScript preview button renders it server-side.
    with phone.expect_navigation():
        phone.get_by_role("button", name="Preview").click()
    phone.locator("#preview").get_by_text("Preview done.").wait_for()
    recorder.assert_inert(phone)
