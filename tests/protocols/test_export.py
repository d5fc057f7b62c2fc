import io
import zipfile

import yaml
from django.urls import reverse

from tests.protocols.conftest import SIMPLE_TREE

URL = reverse("protocols:export")


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_only_trainers(as_responder):
    assert as_responder.get(URL).status_code == 403


def test_zip_holds_pages_with_front_matter_and_trees_as_yaml(as_trainer, page, tree, trainer):
    page.add_revision(author=trainer, body="The latest words.")
    response = as_trainer.get(URL)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["pages/breathing.md", f"trees/{tree.slug}.yaml"]
    text = archive.read("pages/breathing.md").decode()
    front, body = text.split("---\n")[1:3]
    meta = yaml.safe_load(front)
    assert meta["title"] == "Breathing" and meta["language"] == "en"
    assert meta["translation_key"] == page.translation_key
    assert body.strip() == "The latest words."
    assert yaml.safe_load(archive.read(f"trees/{tree.slug}.yaml"))["tree"] == SIMPLE_TREE
