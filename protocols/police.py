"""The structured template every police-presence plan follows.

A plan must keep these sections (as Markdown headings) so that a responder
finds the same things in the same place under pressure. The headings are
fixed per language here, not taken from the translation catalog, so that a
plan's validity never depends on which catalogs happen to be compiled.
"""

from __future__ import annotations

import re

SECTIONS = {
    "en": [
        (
            "Roles",
            "Who does what on the call: a legal observer, a de-escalator, and one person "
            "whose only job is to support the person in crisis.",
        ),
        (
            "When police arrive unsolicited",
            "Who speaks to officers, what they say first, and how the team keeps the "
            "person in crisis at the centre.",
        ),
        (
            "What not to share",
            "What the team never volunteers: names, addresses, immigration status, "
            "health details, what the person told you.",
        ),
        (
            "Consent of the person in crisis",
            "What the person has agreed to, and how the team checks again as things change.",
        ),
        (
            "Afterwards",
            "Debrief, the legal observer's notes, and follow-up with the person in crisis.",
        ),
    ],
    "es": [
        (
            "Funciones",
            "Quién hace qué: una persona observadora legal, una que desescala y otra cuya "
            "única tarea es acompañar a la persona en crisis.",
        ),
        (
            "Si la policía llega sin que la llamemos",
            "Quién habla con los agentes, qué dice primero y cómo el equipo mantiene a la "
            "persona en crisis en el centro.",
        ),
        (
            "Lo que no se comparte",
            "Lo que el equipo nunca ofrece: nombres, direcciones, situación migratoria, datos "
            "de salud, lo que la persona nos contó.",
        ),
        (
            "Consentimiento de la persona en crisis",
            "A qué ha dicho que sí la persona, y cómo el equipo vuelve a preguntar cuando "
            "la situación cambia.",
        ),
        (
            "Después",
            "Reunión de cierre, las notas de la persona observadora legal y el seguimiento "
            "con la persona en crisis.",
        ),
    ],
}


def headings(language: str) -> list[str]:
    return [heading for heading, _prompt in SECTIONS.get(language, SECTIONS["en"])]


def template(language: str) -> str:
    """A starting body for a new plan, in `language`."""
    sections = SECTIONS.get(language, SECTIONS["en"])
    return "\n\n".join(f"## {heading}\n\n{prompt}" for heading, prompt in sections) + "\n"


def missing_sections(body: str, language: str) -> list[str]:
    """Section headings of the template that `body` lacks (compared case-insensitively)."""
    found = {
        match.group(1).strip().casefold()
        for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", body, flags=re.M)
    }
    return [heading for heading in headings(language) if heading.casefold() not in found]
