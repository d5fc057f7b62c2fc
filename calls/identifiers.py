"""Spot likely identifiers in a note body before it is saved.

A pure function: it returns what it found and keeps nothing. The writer is
then asked to remove each finding or to confirm that it should stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|me|app|info|co|us|mx|es|ly|gg|tv)"
    r"(?:/\S*)?\b",
    re.IGNORECASE,
)
# Seven or more digits, allowing the usual separators: 555-0100, (555) 010-0199,
# +1 555 010 0199, 5550100199.
_PHONE = re.compile(r"(?<![\w@])\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?!\w)")
# Dates and times look like phone numbers ("12.03.2026", "19.30-21.30"): claimed, then dropped.
# Only when the digits stop there: "06.12.34.56.78" is a phone number, not a date.
_ALONE_BEFORE, _ALONE_AFTER = r"(?<!\d[./-])", r"(?![./-]?\d)"
_DATE = re.compile(
    rf"{_ALONE_BEFORE}(?:\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b|\b\d{{1,2}}([./-])\d{{1,2}}\1\d{{2,4}}\b"
    rf"|\b\d{{1,2}}/\d{{1,2}}\b){_ALONE_AFTER}"
)
_TIME = re.compile(
    rf"{_ALONE_BEFORE}\b\d{{1,2}}[:.h]\d{{2}}(?:\s*h)?"
    rf"(?:\s*(?:-|–|to|a)\s*\d{{1,2}}[:.h]\d{{2}})?\b{_ALONE_AFTER}",
    re.IGNORECASE,
)
_STREET_WORDS = (
    "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|"
    "terrace|parkway|pkwy|highway|hwy|circle|cir|square|sq|alley|trail|"
    "calle|avenida|camino|carretera|paseo|plaza"
)
# Words that make "3 times on the way" or "calle a las 5" a sentence, not an address.
_NOT_A_NAME = (
    r"(?!(?:the|a|an|this|that|all|my|his|her|their|our|your|its|of|on|in|to|at|by|for|"
    r"from|with|and|or|times?|hours?|minutes?|mins?|days?|weeks?|months?|blocks?|miles?|"
    r"pills?|people|al|en|por|con|y|hasta|desde|las|los|veces|horas|minutos|cuadras)\b)"
)
_STREET = re.compile(
    # "1234 Elm Street", "12 N. Main St", "45 Oak Ave." and "apt 4B" …
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:{_NOT_A_NAME}[\w'.-]+\s+){{1,4}}"
    rf"(?:{_STREET_WORDS})\b(?!\.?\s+[A-Z][a-z]+'s\b)\.?"
    # … and Spanish "Calle Mayor 12", "C/ Luna, 23", "Av. Juárez 100", "Avda. de la Paz nº 4".
    r"|(?:\b(?:calle|avenida|avda|camino|paseo|carretera|plaza)\b|\b(?:avda|av|ctra|pza)\.|\bc/)"
    rf"\s*{_NOT_A_NAME}[\w'.-]+(?:\s+[\w'.-]+){{0,3}},?\s+(?:n[º°o]\.?\s*)?\d{{1,6}}\b"
    r"|\b(?:apt|apartment|unit|suite|apto|depto|piso)\.?\s*#?\s*\d\w{0,5}\b",
    re.IGNORECASE,
)
# "@sam_r", but not a time written with an at sign ("@ 5pm", "@5pm", "@10").
_HANDLE = re.compile(
    r"(?<![\w@.])@(?!\d{1,2}(?:[:.]\d{2})?(?:\s*(?:[ap]\.?m\.?|h|hrs?))?\b)"
    r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,29})\b"
)

KINDS = {
    "email": _("email address"),
    "url": _("web address"),
    "phone": _("phone number"),
    "address": _("street address"),
    "handle": _("social media handle"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


def find_identifiers(text: str) -> list[Finding]:
    """Likely identifiers in `text`, in order of appearance, each reported once."""
    spans: list[tuple[int, int, str]] = []

    def claim(pattern: re.Pattern[str], kind: str) -> None:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < taken_end and taken_start < end for taken_start, taken_end, _ in spans):
                continue
            spans.append((start, end, kind))

    # Order matters: an email contains something shaped like a handle and a domain.
    claim(_EMAIL, "email")
    claim(_URL, "url")
    claim(_HANDLE, "handle")
    claim(_STREET, "address")
    claim(_DATE, "date")  # dates and times look like phone numbers; claimed, then dropped
    claim(_TIME, "date")
    claim(_PHONE, "phone")
    found: list[Finding] = []
    for start, end, kind in sorted(spans):
        if kind == "date":
            continue
        finding = Finding(kind, text[start:end].strip().rstrip(".,;:"))
        if finding not in found:
            found.append(finding)
    return found
