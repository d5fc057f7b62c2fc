"""The structured template every police-presence plan follows.

A plan must keep these sections (as Markdown headings) so that a responder
finds the same things in the same place under pressure.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

# The section headings, in the order a plan presents them.
SECTIONS = [
    _("Roles"),
    _("When police arrive unsolicited"),
    _("What not to share"),
    _("Consent of the person in crisis"),
    _("Afterwards"),
]

_PROMPTS = [
    _(
        "Who does what: a legal observer, a de-escalator, and someone whose only job is "
        "support for the person in crisis."
    ),
    _(
        "Who speaks to officers, what they say, and how the team keeps the person in crisis "
        "at the centre."
    ),
    _("Information the team never gives: names, addresses, immigration status, health details."),
    _("What the person in crisis has agreed to, and how the team checks again as things change."),
    _("Debrief, notes for the legal observer, and follow-up with the person in crisis."),
]


def headings(language: str) -> list[str]:
    with override(language):
        return [str(section) for section in SECTIONS]


def template(language: str) -> str:
    """A starting body for a new plan, in `language`."""
    with override(language):
        return (
            "\n\n".join(
                f"## {section}\n\n{prompt}"
                for section, prompt in zip(SECTIONS, _PROMPTS, strict=True)
            )
            + "\n"
        )


def missing_sections(body: str, language: str) -> list[str]:
    """Section headings of the template that `body` lacks (compared case-insensitively)."""
    found = {
        match.group(1).strip().casefold()
        for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", body, flags=re.M)
    }
    return [heading for heading in headings(language) if heading.casefold() not in found]
