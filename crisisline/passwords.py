"""The password policy's own rule, beside Django's (settings.AUTH_PASSWORD_VALIDATORS).

A person's password also locks their note key (calls/sealing.py): whoever
guesses it can open the sealed call notes they may read. So a password must
not be the line's name, the words any outsider would try first for a crisis
line, or the person's username, however dressed up with digits, symbols,
capitals or repetition.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words anyone would try first against a crisis line's accounts (both languages,
# accents folded); the line's own name is added from the database.
LINE_WORDS = frozenset(
    {
        "crisisline",
        "crisis",
        "line",
        "linea",
        "hotline",
        "helpline",
        "warmline",
        "support",
        "apoyo",
        "ayuda",
        "volunteer",
        "voluntario",
        "voluntaria",
        "responder",
        "coordinator",
        "trainer",
        "password",
        "passphrase",
        "contrasena",
        "admin",
    }
)


def letters(text: str) -> str:
    """Only the letters of `text`, lower case, accents folded: "Línea-1!" → "linea"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isalpha() and not unicodedata.combining(c))


def own_words(user: Any = None) -> set[str]:
    """The line's words, its name (whole and word by word) and the person's names."""
    from crisisline.models import Line

    texts = [Line.current().name]
    if user is not None:
        texts += [getattr(user, "username", "") or "", getattr(user, "display_name", "") or ""]
    words = set(LINE_WORDS)
    for text in texts:
        words.add(letters(text))
        words.update(letters(part) for part in re.split(r"\W+", text))
    return {word for word in words if len(word) >= 3}


class LineWordsValidator:
    """Refuses a password whose letters are, once the line's words and the person's
    names are taken out, fewer than `least_own_letters`."""

    def __init__(self, least_own_letters: int = 8) -> None:
        self.least_own_letters = least_own_letters

    def validate(self, password: str, user: Any = None) -> None:
        remaining = all_letters = letters(password)
        for word in sorted(own_words(user), key=len, reverse=True):
            remaining = remaining.replace(word, "")
        if len(remaining) < len(all_letters) and len(remaining) < self.least_own_letters:
            raise ValidationError(
                _(
                    "This password is mostly the line's name, words anyone would try for a "
                    "crisis line, or your username. Add words of your own."
                ),
                code="password_line_words",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password also guards your sealed call notes: use a long passphrase, "
            "several words of your own that you use nowhere else, not the line's name "
            "or your username."
        )
