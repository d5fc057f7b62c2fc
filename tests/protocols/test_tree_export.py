import json

import yaml
from django.urls import reverse

from tests.protocols.conftest import SIMPLE_TREE


def test_anonymous_is_sent_to_sign_in(client, tree):
    assert client.get(reverse("protocols:tree_yaml", args=[tree.slug]))["Location"].startswith(
        "/accounts/login/"
    )


def test_pages_have_no_tree_export(as_responder, page):
    assert as_responder.get(reverse("protocols:tree_yaml", args=[page.slug])).status_code == 404


def test_yaml_export(as_responder, tree):
    response = as_responder.get(reverse("protocols:tree_yaml", args=[tree.slug]))
    assert response["Content-Type"].startswith("application/yaml")
    assert "attachment" in response["Content-Disposition"]
    data = yaml.safe_load(response.content)
    assert data["tree"] == SIMPLE_TREE
    assert data["slug"] == tree.slug and data["revision"] == 1


def test_json_export(as_responder, tree):
    response = as_responder.get(reverse("protocols:tree_json", args=[tree.slug]))
    assert json.loads(response.content)["tree"] == SIMPLE_TREE
