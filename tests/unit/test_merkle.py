"""The RFC 9162 tree: published vectors, and every proof up to 300 leaves verified and refused when changed."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.log import merkle

VECTORS = json.loads((Path(__file__).parents[1] / "data" / "log-vectors.json").read_text())["merkle"]
LEAVES = [merkle.leaf_hash(bytes.fromhex(h)) for h in VECTORS["leaves_hex"]]
N = 300
HASHES = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(N)]
OTHER = merkle.leaf_hash(b"not a leaf of the tree")


@cache
def mth(start: int, end: int) -> bytes:
    """MTH(D[start:end]) as RFC 9162 defines it, recursively, for the first N leaves."""
    if end - start == 1:
        return HASHES[start]
    k = merkle.split(end - start)
    return merkle.node_hash(mth(start, start + k), mth(start + k, end))


def hashes_of(ranges: list[tuple[int, int]]) -> list[bytes]:
    return [mth(a, b) for a, b in ranges]


def changed(path: list[bytes], i: int) -> list[bytes]:
    flipped = bytes([path[i][0] ^ 1]) + path[i][1:]
    return [*path[:i], flipped, *path[i + 1 :]]


def test_the_published_roots() -> None:
    assert merkle.root([]).hex() == VECTORS["empty_root_hex"]
    for size, root in VECTORS["roots_hex"].items():
        assert merkle.root(LEAVES[: int(size)]).hex() == root


def test_the_published_inclusion_proofs_are_made_and_verified() -> None:
    for v in VECTORS["inclusion"]:
        index, size, proof = v["index"], v["size"], [bytes.fromhex(h) for h in v["proof_hex"]]
        assert merkle.proof_hashes(merkle.inclusion_ranges(index, size), LEAVES) == proof
        root = bytes.fromhex(VECTORS["roots_hex"][str(size)])
        assert merkle.verify_inclusion(index, size, LEAVES[index], proof, root)


def test_the_published_consistency_proofs_are_made_and_verified() -> None:
    for v in VECTORS["consistency"]:
        first, second, proof = v["from"], v["to"], [bytes.fromhex(h) for h in v["proof_hex"]]
        assert merkle.proof_hashes(merkle.consistency_ranges(first, second), LEAVES) == proof
        roots = VECTORS["roots_hex"]
        assert merkle.verify_consistency(
            first, second, bytes.fromhex(roots[str(first)]), bytes.fromhex(roots[str(second)]), proof
        )


def test_root_matches_the_definition_for_every_size() -> None:
    for size in range(1, N + 1):
        assert merkle.root(HASHES[:size]) == mth(0, size)
        assert merkle.combine([mth(a, b) for a, b in merkle.blocks(0, size)]) == mth(0, size)


def test_every_inclusion_proof_up_to_300_verifies_and_a_changed_hash_fails() -> None:
    for size in range(1, N + 1):
        root = mth(0, size)
        for index in range(size):
            path = hashes_of(merkle.inclusion_ranges(index, size))
            assert merkle.verify_inclusion(index, size, HASHES[index], path, root)
            if path:
                assert not merkle.verify_inclusion(index, size, HASHES[index], changed(path, index % len(path)), root)
            assert not merkle.verify_inclusion(index, size, OTHER, path, root)


def test_every_consistency_proof_up_to_300_verifies_and_a_changed_hash_fails() -> None:
    for second in range(1, N + 1):
        new = mth(0, second)
        for first in range(1, second + 1):
            old = mth(0, first)
            path = hashes_of(merkle.consistency_ranges(first, second))
            assert merkle.verify_consistency(first, second, old, new, path), (first, second)
            if path:
                assert not merkle.verify_consistency(first, second, old, new, changed(path, first % len(path)))
            if first < second:
                assert not merkle.verify_consistency(first, second, new, new, path)


@given(st.integers(1, N).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))), st.data())
def test_any_hash_of_an_inclusion_proof_changed_fails(case: tuple[int, int], data: st.DataObject) -> None:
    size, index = case
    path = hashes_of(merkle.inclusion_ranges(index, size))
    if path:
        i = data.draw(st.integers(0, len(path) - 1))
        assert not merkle.verify_inclusion(index, size, HASHES[index], changed(path, i), mth(0, size))
        assert not merkle.verify_inclusion(index, size, HASHES[index], path[:-1], mth(0, size))


@given(st.integers(2, N).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))), st.data())
def test_any_hash_of_a_consistency_proof_changed_fails(case: tuple[int, int], data: st.DataObject) -> None:
    first, second = case
    path = hashes_of(merkle.consistency_ranges(first, second))
    i = data.draw(st.integers(0, len(path) - 1))
    assert not merkle.verify_consistency(first, second, mth(0, first), mth(0, second), changed(path, i))
    assert not merkle.verify_consistency(first, second, mth(0, first), mth(0, second), [*path, path[0]])


def test_trivial_and_impossible_cases() -> None:
    r = mth(0, 5)
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, r, [])
    assert merkle.verify_consistency(5, 5, r, r, [])
    assert not merkle.verify_consistency(5, 5, r, mth(0, 4), [])
    assert not merkle.verify_consistency(6, 5, r, r, [])
    assert not merkle.verify_inclusion(5, 5, HASHES[4], [], r)
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)
