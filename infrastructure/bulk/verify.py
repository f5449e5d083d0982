"""`ledger verify`: every leaf recomputed from the stored events and checked against the stored
log, its kept subtree hashes and every checkpoint the ledger made."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from infrastructure.bulk.stored_records import stored_records
from infrastructure.log import merkle
from infrastructure.log.checkpoints import Checkpoints
from infrastructure.log.note import NoteError
from infrastructure.log.records import record_hash
from infrastructure.log.tables import LEAVES, NODES, TILE
from infrastructure.write.ledger import Ledger

PAGE = 10_000


@dataclass
class Verification:
    records: int
    root: bytes
    checkpoints: int = 0
    problem: str | None = None  # the first disagreement, naming its log index and record

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode()


def describe(record: dict[str, Any]) -> str:
    kind = record["record"]
    if kind == "fact":
        return f"fact {record['fact_id']}"
    if kind == "subject":
        return f"subject {record['id']}"
    if kind == "milestone":
        return f"milestone {record['milestone_id']} of {record['subject']}"
    return f"actor {record['code']}"


def verify_log(ledger: Ledger, checkpoints: Checkpoints) -> Verification:
    hashes: list[bytes] = []
    stored = _stored_leaves(ledger)
    for index, record in enumerate(stored_records(ledger)):
        h = record_hash(record)
        hashes.append(h)
        leaf = next(stored, None)
        if leaf is None:
            return _fail(hashes, f"log index {index}: {describe(record)} is stored but has no leaf in the log")
        at, leaf_hash, fact_id = leaf
        if at != index:
            return _fail(hashes, f"log index {index}: the log has no leaf here (its next is {at}); {describe(record)}")
        if leaf_hash != h:
            return _fail(hashes, f"log index {index}: {describe(record)} as stored does not hash to its leaf")
        if fact_id != record.get("fact_id"):
            return _fail(hashes, f"log index {index}: the log names fact {fact_id}, the store holds {describe(record)}")
    extra = next(stored, None)
    if extra is not None:
        return _fail(hashes, f"log index {extra[0]}: a leaf with no stored record (fact {extra[2]})")
    levels = _levels(hashes)
    problem = _nodes_problem(ledger, levels)
    if problem:
        return _fail(hashes, problem)
    result = Verification(len(hashes), _root(levels, len(hashes)))
    verifier = checkpoints.signer.verifier if checkpoints.signer else None
    for kept in checkpoints.all():
        size = kept.checkpoint.size
        if size > len(hashes) or kept.checkpoint.root != _root(levels, size):
            result.problem = f"checkpoint of size {size}: its root is not the log's at that size"
            return result
        if kept.signed and verifier is not None and f"\u2014 {verifier.name} " in kept.note:
            try:
                verifier.verify(kept.note)
            except NoteError as e:
                result.problem = f"checkpoint of size {size}: {e}"
                return result
        result.checkpoints += 1
    return result


def _fail(hashes: list[bytes], problem: str) -> Verification:
    return Verification(len(hashes), b"", problem=problem)


def _stored_leaves(ledger: Ledger) -> Iterator[tuple[int, bytes, str | None]]:
    d = ledger.dialect
    sql = d.sql(
        f"SELECT log_index, leaf_hash, fact_id FROM {LEAVES.name} WHERE log_index >= ? ORDER BY log_index LIMIT {PAGE}"
    )
    start = 0
    while True:
        rows = d.tuples(sql, [start])
        for index, leaf_hash, fact_id in rows:
            yield int(index), bytes(leaf_hash), str(fact_id) if fact_id is not None else None
        if len(rows) < PAGE:
            return
        start = int(rows[-1][0]) + 1


def _levels(hashes: list[bytes]) -> list[list[bytes]]:
    """Every complete subtree's hash, level by level, from the leaves up."""
    levels = [hashes]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels


def _root(levels: list[list[bytes]], size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    parts = [levels[(b - a).bit_length() - 1][a >> ((b - a).bit_length() - 1)] for a, b in merkle.blocks(0, size)]
    return merkle.combine(parts)


def _nodes_problem(ledger: Ledger, levels: list[list[bytes]]) -> str | None:
    d = ledger.dialect
    for level, idx, h in d.tuples(d.sql(f"SELECT level, idx, hash FROM {NODES.name} ORDER BY level, idx"), []):
        level, idx = int(level), int(idx)
        if level < TILE or level >= len(levels) or idx >= len(levels[level]) or levels[level][idx] != bytes(h):
            first = idx << level
            return f"log index {first}: the kept hash of the subtree from it ({1 << level} leaves) is not the leaves'"
    return None
