"""The main menu marks the one section the page is in."""

from __future__ import annotations

import re

import pytest


def _current(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"\s*aria-current="page"', page)


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/oncall/", "/oncall/"),
        ("/protocols/", "/protocols/"),
        ("/protocols/cards/", "/protocols/"),
        ("/protocols/resources/", "/protocols/resources/"),
        ("/protocols/resources/import/", "/protocols/resources/"),
        ("/profile/", "/profile/"),
    ],
)
def test_one_menu_link_is_current(as_trainer, path, section):
    response = as_trainer.get(path)
    assert response.status_code == 200
    assert _current(response.content.decode()) == [section]
