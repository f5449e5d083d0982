"""`ledger verify`: every leaf recomputed from the stored events and checked against the stored
log, its kept subtree hashes and every checkpoint the ledger made."""

from __future__ import annotations

import base64
import gc
from concurrent.futures import ThreadPoolExecutor
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
    on a store of more than `workers_after` events that other processes can open.

    The tree's size is read first: a record stored by then has its leaf below it, and the events
    read after it hold them all, so writes made meanwhile are left for the next run, not reported.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of leaves and rows, none in a cycle: no collection would free any
    try:
        return _verified(ledger, checkpoints, workers, workers_after)
    finally:
        if collecting:
            gc.enable()


def _verified(ledger: Ledger, checkpoints: Checkpoints, workers: int, workers_after: int) -> Verification:
    size = ledger.tree.size()
    with ThreadPoolExecutor(1, thread_name_prefix="verify-leaves") as thread:
        stored = thread.submit(_stored_leaves, ledger, size)  # read while the leaves are remade
        leaves = recompute(ledger, workers, workers_after)
        rows = stored.result()
    if leaves.unreadable and len(leaves.hashes) < size:
        return _fail(size, f"log index {len(leaves.hashes)}: {leaves.unreadable}")
    problem = _leaves_problem(rows, leaves, size)
    if problem:
        return _fail(size, problem)
    hashes = leaves.hashes[:size]
    levels = _levels(hashes)
    problem = _nodes_problem(ledger, levels, size)
    if problem:
        return _fail(size, problem)
    result = Verification(size, _root(levels, size))
    verifier = checkpoints.signer.verifier if checkpoints.signer else None
    for kept in checkpoints.all():
        at = kept.checkpoint.size
        if at > size:
            if at > ledger.tree.size():
                result.problem = f"checkpoint of size {at}: past the log's {ledger.tree.size()} leaves"
                return result
            continue  # made after this run began
        if kept.checkpoint.root != _root(levels, at):
            result.problem = f"checkpoint of size {at}: its root is not the log's at that size"
            return result
        if kept.signed and verifier is not None and f"\u2014 {verifier.name} " in kept.note:
            try:
                verifier.verify(kept.note)
            except NoteError as e:
                result.problem = f"checkpoint of size {at}: {e}"
                return result
        result.checkpoints += 1
    return result


def _fail(size: int, problem: str) -> Verification:
    return Verification(size, b"", problem=problem)


def _stored_leaves(ledger: Ledger, size: int) -> list[tuple[Any, ...]]:
    """The log's table below `size`, in index order."""
    d = ledger.dialect
    sql = d.sql(
        f"SELECT log_index, leaf_hash, CAST(fact_id AS TEXT) FROM {LEAVES.name} "
        f"WHERE log_index >= ? AND log_index < ? ORDER BY log_index LIMIT {PAGE}"
    )
    rows: list[tuple[Any, ...]] = []
    while page := d.tuples(sql, [int(rows[-1][0]) + 1 if rows else 0, size], binary=True):
        rows += page
    return rows


def _leaves_problem(rows: list[tuple[Any, ...]], leaves: Recomputed, size: int) -> str | None:
    """The first leaf below `size` where the log's table and the remade records disagree, a page
    at a time (a page that agrees is compared as whole lists)."""
    hashes, facts = leaves.hashes, leaves.facts
    for start in range(0, len(rows), PAGE):
        page = rows[start : start + PAGE]
        end = start + len(page)
        indexes, stored, fact_ids = zip(*page, strict=True)
        agree = (
            indexes[0] == start
            and indexes[-1] == end - 1
            and list(stored) == hashes[start:end]
            and list(fact_ids) == facts[start:end]
        )
        if not agree:
            return _first_disagreement(page, start, leaves)
    if len(rows) < size:  # the last leaves are missing
        return f"log index {len(rows)}: {leaves.label(len(rows))} is stored but has no leaf in the log"
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


def _nodes_problem(ledger: Ledger, levels: list[list[bytes]], size: int) -> str | None:
    d = ledger.dialect
    for level, idx, h in d.tuples(d.sql(f"SELECT level, idx, hash FROM {NODES.name} ORDER BY level, idx"), []):
        level, idx = int(level), int(idx)
        if (idx + 1) << level > size and level >= TILE:
            continue  # kept since this run began
        if level < TILE or level >= len(levels) or idx >= len(levels[level]) or levels[level][idx] != bytes(h):
            first = idx << level
            return f"log index {first}: the kept hash of the subtree from it ({1 << level} leaves) is not the leaves'"
    return None
