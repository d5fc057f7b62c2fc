import io
import time
import warnings
import zipfile

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from protocols.models import Protocol
from tests.protocols.conftest import SIMPLE_TREE, make_page
from tests.snapshot import database_snapshot

URL = reverse("protocols:import")


def page_file(slug="listening", body="Listen first.", **meta):
    front = {
        "slug": slug,
        "title": slug.title(),
        "category": "de-escalation",
        "language": "en",
        **meta,
    }
    return f"---\n{yaml.safe_dump(front)}---\n{body}\n"


def tree_file(slug="a-tree", tree=None, **meta):
    data = {
        "slug": slug,
        "title": "A tree",
        "category": "emergency-or-crisis",
        "language": "en",
        **meta,
    }
    data["tree"] = tree if tree is not None else SIMPLE_TREE
    return yaml.safe_dump(data)


def zipped(files: dict | list[tuple[str, str]]) -> SimpleUploadedFile:
    """A zip of `files`; a list of (name, content) pairs may hold one name twice."""
    pairs = files.items() if isinstance(files, dict) else files
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in pairs:
                archive.writestr(name, content)
    return SimpleUploadedFile("bundle.zip", buffer.getvalue(), content_type="application/zip")


def post(client, files, **extra):
    return client.post(URL, {"bundle": zipped(files), **extra})


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_only_trainers(as_responder):
    assert as_responder.get(URL).status_code == 403
    assert post(as_responder, {"pages/listening.md": page_file()}).status_code == 403
    assert not Protocol.objects.exists()


def test_imports_pages_and_trees(as_trainer, trainer):
    response = post(
        as_trainer,
        {
            "pages/listening.md": page_file(translation_key="listen"),
            "pages/escuchar.md": page_file(
                "escuchar", "Escucha primero.", language="es", translation_key="listen"
            ),
            "trees/a-tree.yaml": tree_file(),
        },
    )
    assert response.status_code == 302
    assert Protocol.objects.count() == 3
    listening = Protocol.objects.get(slug="listening")
    assert listening.current.body == "Listen first."
    assert listening.current.author == trainer
    assert listening.translations().get().slug == "escuchar"
    assert Protocol.objects.get(slug="a-tree").current.document == SIMPLE_TREE


def test_round_trip_through_export(as_trainer, page, tree):
    exported = as_trainer.get(reverse("protocols:export")).content
    upload = SimpleUploadedFile("b.zip", exported, content_type="application/zip")
    response = as_trainer.post(URL, {"bundle": upload}, follow=True)
    assert "0 new, 0 with a new revision, 2 already up to date" in response.content.decode()
    assert page.revisions.count() == 1


def test_existing_pages_are_never_overwritten_silently(as_trainer, trainer):
    make_page("listening", author=trainer, body="Our own words.")
    response = post(as_trainer, {"pages/listening.md": page_file(body="Their words.")})
    assert response.status_code == 400
    assert "already exists here with different text" in response.content.decode()
    assert Protocol.objects.get(slug="listening").revisions.count() == 1
    response = post(
        as_trainer, {"pages/listening.md": page_file(body="Their words.")}, update_existing="on"
    )
    assert response.status_code == 302
    protocol = Protocol.objects.get(slug="listening")
    assert [r.body for r in protocol.revisions.all()] == ["Their words.", "Our own words."]


def bad(as_trainer, files, message):
    response = post(as_trainer, files)
    assert response.status_code == 400, response.content
    assert message in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert not Protocol.objects.exists()


def test_one_bad_file_stops_everything(as_trainer):
    bad(
        as_trainer,
        {"pages/listening.md": page_file(), "trees/a-tree.yaml": "tree: [unclosed"},
        "has YAML that cannot be read",
    )


def test_path_traversal(as_trainer):
    bad(as_trainer, {"pages/../../etc/evil.md": page_file()}, "tries to leave the bundle")


def test_absolute_paths(as_trainer):
    bad(as_trainer, {"/pages/evil.md": page_file()}, "is an absolute path")


def test_unexpected_files(as_trainer):
    bad(as_trainer, {"pages/run.sh": "echo"}, "is not expected here")


def test_invalid_tree_names_the_node(as_trainer):
    tree = yaml.safe_load(yaml.safe_dump(SIMPLE_TREE))
    tree["nodes"][1]["answers"][0]["next"] = "ghost"
    bad(
        as_trainer,
        {"trees/a-tree.yaml": tree_file(tree=tree)},
        "Node “calm”: answer 1 leads to “ghost”",
    )


def test_tree_links_to_pages_that_exist_nowhere(as_trainer):
    tree = yaml.safe_load(yaml.safe_dump(SIMPLE_TREE))
    tree["nodes"][3]["links"] = ["listening", "ghost-page"]
    bad(
        as_trainer,
        {"pages/listening.md": page_file(), "trees/a-tree.yaml": tree_file(tree=tree)},
        "links to “ghost-page”",
    )


def test_oversized_page(as_trainer):
    bad(as_trainer, {"pages/listening.md": page_file(body="x" * 250_000)}, "is too large")


def test_zip_bomb_by_total_size(as_trainer, monkeypatch):
    from protocols import bundle

    # Same check, smaller numbers: the limit is 20 MB, which is slow to build in a test.
    monkeypatch.setattr(bundle, "MAX_TOTAL", 1_000_000)
    files = {f"pages/p{n}.md": page_file(f"p{n}", body="x" * 150_000) for n in range(8)}
    bad(as_trainer, files, "unpacks to more than 20 MB")


def test_highly_compressed_file_is_caught(as_trainer):
    """A few kilobytes that unpack to megabytes are refused by size, not unpacked whole."""
    files = {"pages/listening.md": page_file(body="a" * 5_000_000)}
    upload = zipped(files)
    assert upload.size < 50_000
    bad(as_trainer, files, "is too large")


def test_duplicate_slugs_and_translations(as_trainer):
    bad(
        as_trainer,
        {
            "pages/listening.md": page_file(translation_key="k"),
            "pages/hearing.md": page_file("hearing", translation_key="k"),
        },
        "are both translations in the same language",
    )


@pytest.mark.parametrize(
    "files",
    [
        [("pages/listening.md", page_file()), ("trees/listening.yaml", tree_file("listening"))],
        [("pages/listening.md", page_file()), ("pages/listening.md", page_file(body="Again."))],
    ],
    ids=["a page and a tree", "one path twice"],
)
def test_one_slug_twice_is_refused_and_changes_nothing(as_trainer, trainer, files):
    make_page("breathing", author=trainer)
    before = database_snapshot()
    response = post(as_trainer, files)
    assert response.status_code == 400, response.content
    text = response.content.decode()
    assert "“listening” appears twice" in text
    assert "Nothing was imported" in text
    assert database_snapshot() == before


def test_slug_must_match_the_file_name(as_trainer):
    bad(
        as_trainer,
        {"pages/listening.md": page_file(slug="other")},
        "the slug must match the file name",
    )


def test_not_a_zip(as_trainer):
    upload = SimpleUploadedFile("b.zip", b"not a zip", content_type="application/zip")
    response = as_trainer.post(URL, {"bundle": upload})
    assert "This is not a zip file." in response.content.decode()


def test_bad_front_matter(as_trainer):
    bad(as_trainer, {"pages/listening.md": "no front matter"}, "has no front matter")
    bad(as_trainer, {"pages/listening.md": page_file(language="fr")}, "the language must be one of")
    bad(as_trainer, {"pages/listening.md": page_file(category="gossip")}, "unknown category")


def test_no_file(as_trainer):
    response = as_trainer.post(URL, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_police_plan_must_follow_the_template(as_trainer):
    bad(
        as_trainer,
        {"pages/plan.md": page_file("plan", category="police-presence", body="## Roles\n\nOnly.")},
        "A police-presence plan keeps every section",
    )


# --- Hostile YAML: anchors and aliases, wrong types, deep nesting ----------------------------

LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(5)]
)


def front_matter(text: str, body: str = "Listen first.") -> str:
    return f"---\n{text}\n---\n{body}\n"


def refused_quickly(client, files, message, **extra):
    """Refused with `message` in under a second of this process's time (the
    machine may be busy with other work), and nothing changes."""
    before = database_snapshot()
    started = time.process_time()
    response = client.post(URL, {"bundle": zipped(files)}, **extra)
    elapsed = time.process_time() - started
    assert response.status_code == 400, response.content[:300]
    text = response.content.decode()
    assert message in text
    assert elapsed < 1, elapsed
    assert database_snapshot() == before
    return text


def test_yaml_aliases_are_refused_before_they_expand(as_trainer):
    # A million strings once the aliases are followed; formatted into a message, gigabytes.
    files = {
        "pages/listening.md": front_matter(
            f"title: Listening\nlanguage: en\n{LAUGHS}\ncategory: *f"
        )
    }
    text = refused_quickly(as_trainer, files, "YAML anchors and aliases")
    assert len(text) < 50_000


def test_a_lone_anchor_is_refused_too(as_trainer):
    files = {"pages/listening.md": front_matter("title: &t Listening\nlanguage: en")}
    refused_quickly(as_trainer, files, "YAML anchors and aliases")


def test_aliases_in_a_tree_file_are_refused(as_trainer):
    tree = tree_file().replace("tree:", "shared: &s {id: x}\ntree:", 1) + "extra: *s\n"
    refused_quickly(as_trainer, {"trees/a-tree.yaml": tree}, "YAML anchors and aliases")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("language: [en]", "the language must be one of"),
        ("language: {a: 1}", "the language must be one of"),
        ("category: [de-escalation]", "the category must be one of"),
        ("category: {a: 1}", "the category must be one of"),
        ("slug: [listening]", "the slug must match the file name"),
        ("title: {a: 1}", "needs a title"),
        ("translation_key: [a]", "the translation key is not valid"),
        ("review_interval_days: [30]", "review_interval_days must be a whole number"),
        ("review_interval_days: " + "9" * 5000, "has YAML that cannot be read"),
        ("review_interval_days: 2026-13-45", "has YAML that cannot be read"),
    ],
)
def test_front_matter_of_the_wrong_type_is_a_clear_refusal(as_trainer, line, message):
    meta = {"title": "Listening", "language": "en", "category": "de-escalation"}
    key = line.split(":", 1)[0]
    lines = [f"{k}: {v}" for k, v in meta.items() if k != key] + [line]
    refused_quickly(as_trainer, {"pages/listening.md": front_matter("\n".join(lines))}, message)


def test_a_tree_that_is_not_a_mapping(as_trainer):
    tree = tree_file(tree="just words")
    refused_quickly(as_trainer, {"trees/a-tree.yaml": tree}, "A tree must be a mapping")


@pytest.mark.parametrize(
    "nested",
    ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "1" + "}" * 5000, "\n  " + "- " * 2000 + "x"],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_deep_nesting_is_refused(as_trainer, nested):
    files = {
        "pages/listening.md": front_matter(f"title: Listening\nlanguage: en\ncategory: {nested}")
    }
    refused_quickly(as_trainer, files, "is nested too deeply")


def test_an_unknown_category_is_shown_shortened(as_trainer):
    files = {"pages/listening.md": page_file(category="gossip" * 2000)}
    text = refused_quickly(as_trainer, files, "unknown category")
    assert "gossip" * 2000 not in text
    assert "gossip" * 5 in text


def test_hostile_yaml_is_refused_in_spanish(as_trainer):
    files = {"pages/listening.md": front_matter(f"title: Listening\nlanguage: en\n{LAUGHS}")}
    # override() puts back the language active before, which the request changes.
    with translation.override("en"):
        text = refused_quickly(as_trainer, files, "anclas y alias", HTTP_ACCEPT_LANGUAGE="es")
    assert "No se importó nada" in text
