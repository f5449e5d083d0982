"""`ledger verify`: every leaf recomputed from the stored events and checked against the stored
log, its kept subtree hashes and every checkpoint the ledger made."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from infrastructure.bulk.recomputed_leaves import WORKERS_AFTER, Recomputed, recompute
from infrastructure.log import merkle
from infrastructure.log.checkpoints import Checkpoints
from infrastructure.log.note import NoteError
from infrastructure.log.tables import LEAVES, NODES, TILE
from infrastructure.write.ledger import Ledger

PAGE = 50_000


@dataclass
class Verification:
    records: int
    root: bytes
    checkpoints: int = 0
    problem: str | None = None  # the first disagreement, naming its log index and record

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode()


def verify_log(
    ledger: Ledger, checkpoints: Checkpoints, workers: int = 1, workers_after: int = WORKERS_AFTER
) -> Verification:
    """Check the log against the stored events; the leaves are remade in `workers` processes
    on a store of more than `workers_after` events that other processes can open."""
    leaves = recompute(ledger, workers, workers_after)
    hashes = leaves.hashes
    if leaves.unreadable:
        return _fail(hashes, f"log index {len(hashes)}: {leaves.unreadable}")
    problem = _leaves_problem(ledger, leaves)
    if problem:
        return _fail(hashes, problem)
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


def _leaves_problem(ledger: Ledger, leaves: Recomputed) -> str | None:
    """The first leaf where the log's table and the recomputed records disagree, a page at a time
    (a page that agrees is compared as whole lists)."""
    d = ledger.dialect
    sql = d.sql(
        f"SELECT log_index, leaf_hash, CAST(fact_id AS TEXT) FROM {LEAVES.name} "
        f"WHERE log_index >= ? ORDER BY log_index LIMIT {PAGE}"
    )
    hashes, facts = leaves.hashes, leaves.facts
    start = 0
    while True:
        rows = d.tuples(sql, [start])
        end = start + len(rows)
        indexes, stored, fact_ids = zip(*rows, strict=True) if rows else ((), (), ())
        agree = (
            (not rows or (indexes[0] == start and indexes[-1] == end - 1))
            and [bytes(h) for h in stored] == hashes[start:end]
            and list(fact_ids) == facts[start:end]
        )
        if not agree:
            return _first_disagreement(rows, start, leaves)
        start = end
        if len(rows) < PAGE:
            break
    if len(hashes) > start:
        return f"log index {start}: {leaves.label(start)} is stored but has no leaf in the log"
    return None


def _first_disagreement(rows: list[tuple[Any, ...]], start: int, leaves: Recomputed) -> str:
    hashes, facts = leaves.hashes, leaves.facts
    for index, (at, stored, fact_id) in enumerate(rows, start):
        if index >= len(hashes):
            return f"log index {at}: a leaf with no stored record (fact {fact_id})"
        what = leaves.label(index)
        if at != index:
            return f"log index {index}: the log has no leaf here (its next is {at}); {what}"
        if bytes(stored) != hashes[index]:
            return f"log index {index}: {what} as stored does not hash to its leaf"
        if fact_id != facts[index]:
            return f"log index {index}: the log names fact {fact_id}, the store holds {what}"
    index = start + len(rows)
    return f"log index {index}: {leaves.label(index)} is stored but has no leaf in the log"


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
