"""A readable line diff between two texts, for the history page."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "del", "ins" or "gap"
    old: int | None
    new: int | None
    text: str


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
            if tag in ("replace", "delete"):
                rows.extend(DiffLine("del", i + 1, None, a[i]) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                rows.extend(DiffLine("ins", None, j + 1, b[j]) for j in range(j1, j2))
    return rows
