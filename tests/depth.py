"""How hard the property and fuzz tests try.

The everyday run (`make test`) tries a tenth of the examples; CI's PostgreSQL pass
sets THOROUGH_TESTS=1 and tries them all. Both runs try different examples each time.
Every test that does less in the everyday run is marked `thorough`: `pytest -m thorough`
with THOROUGH_TESTS=1 runs just those, in full.
"""

from __future__ import annotations

import os

THOROUGH = os.environ.get("THOROUGH_TESTS", "") == "1"


def examples(full: int) -> int:
    """`full` examples in the thorough run, a tenth (at least 10) otherwise."""
    return full if THOROUGH else max(10, full // 10)
