"""Stored bodies keep one JSON form, whichever encoder writes it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from infrastructure.encoding.canonical import canonical

# The ledger's values: no floats. Text with quotes, backslashes, control and non-ASCII characters.
scalars = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=25)


def reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@given(values)
def test_canonical_is_sorted_compact_unescaped_json(value: Any) -> None:
    assert canonical(value) == reference(value)


def test_what_orjson_refuses_is_still_written_the_same_way() -> None:
    for value in ({"n": 2**70}, {1: "a", 2: "b"}, [-(2**64)]):
        assert canonical(value) == reference(value)
