"""Whole numbers typed by people (query strings, form fields, editor buttons).

`str.isdigit()` says yes to '²', which `int()` then refuses with a ValueError
(a server error); `int()` itself reads '٣' and '３' as 3, and also takes
' 3', '+3' and '3_000'. A number someone typed is read here instead: ASCII
digits only, and a bounded number of them.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def whole_number(raw: object, *, most_digits: int = 9) -> int | None:
    """`raw` as a whole number when it is 1 to `most_digits` ASCII digits; otherwise None."""
    if not isinstance(raw, str) or not 0 < len(raw) <= most_digits:
        return None
    return int(raw) if _DIGITS.fullmatch(raw) else None
