"""The range of database ids, so an id read from a request is checked before any query.

Every primary key is a signed 64-bit integer (``BigAutoField``). SQLite's driver cannot
even bind a larger Python int (``OverflowError``, a 500), so request fields that carry an
id are bounded to this range and answer 400 (or 404) instead.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1


def is_id(value: object) -> bool:
    """Whether ``value`` can be a primary key: an int from 1 to ``MAX_ID``."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
