"""The directory's list: which resources a search and its filters leave, in the order
to offer them, and each card's words, worked out once.

A card is a plain dict of what it shows (names, words already in the reader's
language, the safety answers with their shapes), so the template only reads keys,
and the words every card shares (need labels, the safety answers, the link's shape)
are looked up once a page, not once a card.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from calls.models import Need
from protocols.care_map import (
    SYSTEM_FIELDS,
    SYSTEMS,
    IdRequired,
    Involvement,
    OpenNow,
    Resource,
    ResourceHours,
    ResourceNeed,
    SafetyLine,
    WeeklySpan,
)

# What a card reads of a resource, as plain values.
CARD_FIELDS = [
    "pk",
    "slug",
    "name",
    "summary",
    "summary_es",
    "how_to_reach",
    "how_to_reach_es",
    "line_note",
    "line_note_es",
    "phone",
    "text_number",
    "speaks_spanish",
    "id_required",
    "verify_due_on",
    "do_not_refer",
    "do_not_refer_reason",
    *SYSTEM_FIELDS,
]


class Card(TypedDict):
    name: str
    url: str
    open_now: bool
    closed_now: bool
    speaks_spanish: bool
    no_id: bool
    do_not_refer: bool
    do_not_refer_reason: str
    stale: bool
    summary: str
    needs: str
    safety: str
    line_note: str
    phone: str
    text_number: str
    how_to_reach: str


def open_now(now: Any = None) -> Any:
    """An expression true for the resources open at `now`: one small query reads the
    distinct weekly spans of yesterday and today (resources share a few), each is
    laid out once by the line's hours code, and the database only matches spans.
    Yesterday's hours may run past midnight into today."""
    is_open = OpenNow(now)
    today = timezone.localtime(is_open.now).weekday()
    spans = (
        ResourceHours.objects.filter(weekday__in=[today, (today - 1) % 7])
        .order_by()
        .values_list("weekday", "start", "end")
        .distinct()
    )
    matching = Q()
    for weekday, start, end in spans:
        if is_open([WeeklySpan(weekday, start, end)]):
            matching |= Q(weekday=weekday, start=start, end=end)
    if not matching:
        return Value(False)
    return Exists(ResourceHours.objects.filter(matching, resource=OuterRef("pk")))


def ranked(resources: QuerySet[Resource], only_open: bool = False) -> list[tuple[int, bool]]:
    """(pk, open now) of `resources`, in the order to offer them: those one may refer
    to first, open ones first, then by name; "do not refer" ones stay visible, last."""
    rows = list(
        resources.order_by()
        .annotate(is_open=open_now())
        .values_list("pk", "name", "do_not_refer", "is_open")
    )
    if only_open:
        rows = [row for row in rows if row[3]]
    rows.sort(key=lambda row: (row[2], not row[3], row[1].lower()))
    return [(pk, bool(is_open)) for pk, _name, _do_not_refer, is_open in rows]


class Cards:
    """Cards for one page, in the reader's language (`public`: nothing the team keeps
    to itself, such as the line's note)."""

    def __init__(self, public: bool = False) -> None:
        self.public = public
        self.spanish = (get_language() or "en")[:2] == "es"
        self.today = timezone.localdate()
        self.url = reverse("protocols:resource", args=["slug-here"])
        self.need_words = {value: str(label) for value, label in Need.choices}
        self.systems = {field: str(system) for field, system in SYSTEMS}
        self.lines: dict[tuple[str, str], str] = {}
        self.safety_lists: dict[tuple[str, ...], str] = {}

    def for_ranked(self, chosen: list[tuple[int, bool]]) -> list[Card]:
        """The cards of `chosen` (pk, open now), in that order: two queries."""
        pks = [pk for pk, _open in chosen]
        rows = {
            row["pk"]: row
            for row in Resource.objects.filter(pk__in=pks)
            .annotate(has_hours=Exists(ResourceHours.objects.filter(resource=OuterRef("pk"))))
            .values(*CARD_FIELDS, "has_hours")
        }
        needs: dict[int, list[str]] = {}
        for resource_id, need in (
            ResourceNeed.objects.filter(resource__in=pks)
            .order_by()
            .values_list("resource_id", "need")
        ):
            needs.setdefault(resource_id, []).append(need)
        return [
            self.card(rows[pk], needs.get(pk, []), rows[pk]["has_hours"], is_open)
            for pk, is_open in chosen
        ]

    def for_resources(self, resources: Iterable[Resource]) -> list[Card]:
        """Cards of resources read `for_directory()`, each marked `open_now`."""
        return [
            self.card(
                {field: getattr(r, field) for field in CARD_FIELDS},
                [n.need for n in r.needs.all()],
                bool(r.hours.all()),
                r.open_now,
            )
            for r in resources
        ]

    def card(self, row: dict[str, Any], needs: list[str], has_hours: bool, is_open: bool) -> Card:
        return Card(
            name=row["name"],
            url=self.url.replace("slug-here", row["slug"]),
            open_now=is_open,
            closed_now=has_hours and not is_open,
            speaks_spanish=row["speaks_spanish"],
            no_id=row["id_required"] == IdRequired.NO,
            do_not_refer=row["do_not_refer"],
            do_not_refer_reason=row["do_not_refer_reason"],
            stale=row["verify_due_on"] <= self.today,
            summary=self._words(row, "summary"),
            needs=" · ".join(self.need_words[n] for n in sorted(needs)),
            safety=self.safety(tuple(row[f] for f in SYSTEM_FIELDS)),
            line_note="" if self.public else self._words(row, "line_note"),
            phone=row["phone"],
            text_number=row["text_number"],
            how_to_reach=self._words(row, "how_to_reach"),
        )

    def safety(self, answers: tuple[str, ...]) -> str:
        """The safety list's lines for these four answers: each line and each profile
        is laid out once a page (a few recur)."""
        if answers not in self.safety_lists:
            lines = (self.line(f, a) for f, a in zip(SYSTEM_FIELDS, answers, strict=True))
            self.safety_lists[answers] = mark_safe("".join(lines))
        return self.safety_lists[answers]

    def line(self, field: str, answer: str) -> str:
        if (field, answer) not in self.lines:
            self.lines[(field, answer)] = SafetyLine(
                system=self.systems[field], involvement=Involvement(answer), field=field
            ).html
        return self.lines[(field, answer)]

    def _words(self, row: dict[str, Any], field: str) -> str:
        """A text in the reader's language when it is written, else in English."""
        text: str = (self.spanish and row[f"{field}_es"]) or row[field]
        return text


def mentioned_cards(mentions: dict[str, Resource]) -> list[Card]:
    """Cards of the resources a protocol mentions (`care_map.mentioned`)."""
    return Cards().for_resources(mentions.values()) if mentions else []
