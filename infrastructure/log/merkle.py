"""The Merkle tree of RFC 9162 §2.1: hashes, the ranges a proof is made of, and proof checks.

A proof is made as a list of ranges [start, end) of leaves, each standing for the hash of that
subtree (MTH), so a store can fetch every hash a proof needs at once; `proof_hashes` turns the
ranges into hashes over leaves held in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Range = tuple[int, int]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves whose hashes are given, in order."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:  # pairing from the left, an odd last one carried up: RFC 9162's shape
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """PATH(index, D[0:size]): the subtrees whose hashes prove leaf `index`, from the leaf up."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not in a tree of {size}")
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index - start < k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """PROOF(first, D[0:second]): the subtrees whose hashes prove the tree of `first` leaves is a
    prefix of the tree of `second`. Empty when first is 0 or equal to second."""
    if not 0 <= first <= second:
        raise ValueError(f"from {first} to {second} is not a growing tree")
    if first in (0, second):
        return []
    proof: list[Range] = []
    start, end, m, complete = 0, second, first, True
    while m != end - start:  # SUBPROOF(m, D[start:end], complete)
        k = split(end - start)
        if m <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append((start, end))
    return proof[::-1]


def proof_hashes(ranges: Sequence[Range], hashes: Sequence[bytes]) -> list[bytes]:
    """The proof's hashes over leaves held in memory."""
    return [root(hashes[a:b]) for a, b in ranges]


def _lsb(n: int) -> int:
    return n & 1


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root that an inclusion proof of the leaf hash `leaf` leads to, or None if the proof
    cannot be one for that index and size (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root_hash: bytes) -> bool:
    return root_from_inclusion(index, size, leaf, path) == root_hash


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]) -> bool:
    """Whether `path` proves the tree of `first` leaves a prefix of that of `second` (RFC 9162
    §2.1.4.2; a tree is consistent with itself and the empty tree with every tree, by empty proofs)."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path
    if not path:
        return False
    path = list(path)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while _lsb(fn):
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def blocks(start: int, end: int) -> list[Range]:
    """[start, end) as aligned power-of-two subtrees, left to right: the nodes its hash is made of."""
    out: list[Range] = []
    while start < end:
        size = start & -start if start else 1 << (end.bit_length() - 1)
        while start + size > end:
            size >>= 1
        out.append((start, start + size))
        start += size
    return out


def combine(parts: Sequence[bytes]) -> bytes:
    """The hash of a range from its `blocks`' hashes: each block is a left child of what follows
    it, so the range's hash folds from the right."""
    acc = parts[-1]
    for h in reversed(parts[:-1]):
        acc = node_hash(h, acc)
    return acc


HashOf = Callable[[Range], bytes]
