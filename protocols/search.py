"""Search protocols by title and current text.

PostgreSQL gets real full-text search (stemmed in each page's own language);
SQLite, the embedded default, gets a case-insensitive substring match.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from protocols.models import ProtocolQuerySet

SEARCH_CONFIG = {"en": "english", "es": "spanish"}


def search(protocols: ProtocolQuerySet, query: str) -> ProtocolQuerySet:
    """`protocols` (annotated with_current) matching `query`, best first on PostgreSQL."""
    query = query.strip()
    if not query:
        return protocols
    if connection.vendor == "postgresql":
        return _full_text(protocols, query)
    return protocols.filter(Q(title__icontains=query) | Q(current_body__icontains=query))


def _full_text(protocols: ProtocolQuerySet, query: str) -> ProtocolQuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
    from django.db.models import Case, FloatField, When

    matches = Q()
    ranks = []
    for language, config in SEARCH_CONFIG.items():
        vector = SearchVector("title", weight="A", config=config) + SearchVector(
            "current_body", weight="B", config=config
        )
        wanted = SearchQuery(query, search_type="websearch", config=config)
        field = f"_match_{language}"
        protocols = protocols.annotate(**{field: vector})
        matches |= Q(language=language, **{field: wanted})
        ranks.append(When(language=language, then=SearchRank(vector, wanted)))
    return (
        protocols.filter(matches)
        .annotate(rank=Case(*ranks, default=0.0, output_field=FloatField()))
        .order_by("-rank", "title")
    )
