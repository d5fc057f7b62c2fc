"""How every view binds a form: to the POST data of a POST, even an empty one (so an
empty submission gets its "this field is required" messages), and unbound otherwise."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data of a POST (even an empty one), None otherwise."""
    return request.POST if request.method == "POST" else None
