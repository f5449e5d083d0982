"""The ledger's leaf encoder writes exactly RFC 8785 (as the rfc8785 library does) for every record shape."""

from __future__ import annotations

from typing import Any

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.log.records import UNHASHED, leaf_bytes

# What records hold: text the store accepts (no NUL, no lone surrogate), small integers,
# booleans, nulls, lists and objects with ASCII keys.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
KEYS = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)
SCALARS = TEXT | st.integers(-(2**53) + 1, 2**53 - 1) | st.booleans() | st.none()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4))


@given(st.dictionaries(KEYS | st.sampled_from(UNHASHED), VALUES, max_size=8))
def test_leaf_bytes_are_rfc8785(record: dict[str, Any]) -> None:
    assert leaf_bytes(record) == rfc8785.dumps({k: v for k, v in record.items() if k not in UNHASHED})


def test_numbering_fields_are_not_hashed() -> None:
    assert leaf_bytes({"record": "fact", "log_index": 4, "position": 2}) == b'{"record":"fact"}'
