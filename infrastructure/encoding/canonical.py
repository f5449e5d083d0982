"""Canonical JSON: the one form every stored body and kept answer is written in."""

from __future__ import annotations

import json
from typing import Any

import orjson


def canonical(value: Any) -> str:
    """Compact JSON with sorted keys and unescaped non-ASCII.

    orjson writes exactly what `json.dumps(sort_keys, compact, ensure_ascii=False)` writes for
    the ledger's values (a property test holds it to that); json takes what orjson refuses
    (integers past 64 bits, keys that are not strings).
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parsed(value: Any) -> Any:
    """A stored body parsed (as text or bytes; a driver may already have parsed it)."""
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # integers past 64 bits
        return json.loads(value)
