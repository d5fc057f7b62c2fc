"""A readable diff between two texts, for the history page and edit conflicts.

Lines are compared first; where a line was changed rather than added or
removed, its words are compared too, so a one-word edit in a long Markdown
paragraph shows as that word, not as the whole paragraph struck out.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "del", "ins" or "gap"
    old: int | None
    new: int | None
    text: str
    # (changed?, text) pieces of a changed line; empty when the whole line counts.
    pieces: list[tuple[bool, str]] = field(default_factory=list)


def _word_pieces(a: str, b: str) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
    old, new = _WORDS.findall(a), _WORDS.findall(b)
    old_pieces: list[tuple[bool, str]] = []
    new_pieces: list[tuple[bool, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old_pieces.append((tag != "equal", "".join(old[i1:i2])))
        if j2 > j1:
            new_pieces.append((tag != "equal", "".join(new[j1:j2])))
    return old_pieces, new_pieces


def line_diff(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """Unified-style rows: removed lines, added lines, and a little unchanged context."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    groups = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context)
    for number, group in enumerate(groups):
        if number:
            rows.append(DiffLine("gap", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(
                    DiffLine("same", i + 1, j + 1, a[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            removed = list(range(i1, i2))
            added = list(range(j1, j2))
            pieces: dict[tuple[str, int], list[tuple[bool, str]]] = {}
            if tag == "replace":
                for i, j in zip(removed, added, strict=False):
                    pieces[("del", i)], pieces[("ins", j)] = _word_pieces(a[i], b[j])
            rows.extend(
                DiffLine("del", i + 1, None, a[i], pieces.get(("del", i), [])) for i in removed
            )
            rows.extend(
                DiffLine("ins", None, j + 1, b[j], pieces.get(("ins", j), [])) for j in added
            )
    return rows
