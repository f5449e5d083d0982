"""The log's leaves remade from the stored events: what `ledger verify` holds the log to.

On PostgreSQL a large store is shared out by notification range to worker processes, each
hashing its range; the ranges' leaves are joined in ledger order.
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from infrastructure.log import records
from infrastructure.log.records import record_hash
from infrastructure.store.event_reader import EventReader, SubjectRegistered
from infrastructure.write.ledger import Ledger

PAGE = 10_000
WORKERS_AFTER = 50_000  # events: a smaller store is not worth starting processes for
SUBJECT_REGISTERED = [get_topic(SubjectRegistered)]


def describe(record: dict[str, Any]) -> str:
    kind = record["record"]
    if kind == "fact":
        return f"fact {record['fact_id']}"
    if kind == "subject":
        return f"subject {record['id']}"
    if kind == "milestone":
        return f"milestone {record['milestone_id']} of {record['subject']}"
    return f"actor {record['code']}"


@dataclass
class Recomputed:
    """Leaves in ledger order, from the first stored record on (or from a range's first)."""

    hashes: list[bytes] = field(default_factory=list)
    facts: list[str | None] = field(default_factory=list)  # each leaf's fact id (None: no fact)
    labels: dict[int, str] = field(default_factory=dict)  # the records that are no facts, by index
    unreadable: str | None = None  # why the record after the last leaf could not be read

    def label(self, index: int) -> str:
        if index >= len(self.facts):
            return "no stored record"
        return self.labels.get(index) or f"fact {self.facts[index]}"

    def add(self, record: dict[str, Any]) -> None:
        index = len(self.hashes)
        self.hashes.append(record_hash(record))
        if record["record"] == "fact":
            self.facts.append(record["fact_id"])
        else:
            self.facts.append(None)
            self.labels[index] = describe(record)

    def extend(self, later: Recomputed) -> None:
        offset = len(self.hashes)
        self.hashes += later.hashes
        self.facts += later.facts
        self.labels.update({offset + i: label for i, label in later.labels.items()})
        self.unreadable = later.unreadable


def recompute(ledger: Ledger, workers: int = 1, workers_after: int = WORKERS_AFTER) -> Recomputed:
    """Every stored record's leaf, in `workers` processes where the store allows it."""
    total = ledger.recorder.max_notification_id() or 0
    env = ledger.shared_env()
    if workers < 2 or total < workers_after or not ledger.dialect.server_process or env is None:
        return recompute_range(ledger, 0, total)
    bounds = [total * k // workers for k in range(workers + 1)]
    spawn = multiprocessing.get_context("spawn")  # not fork: this process holds connections
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=open_worker, initargs=(env,)) as pool:
        parts = list(pool.map(recompute_part, bounds[:-1], bounds[1:]))
    joined = Recomputed()
    for part in parts:
        joined.extend(part)
        if part.unreadable:
            break
    return joined


def recompute_range(ledger: Ledger, after: int, stop: int) -> Recomputed:
    """The leaves of the records stored after notification `after`, up to `stop`."""
    reader = EventReader(ledger)
    slugs: dict[UUID, str] = {}
    if after:  # subjects registered before the range name its milestones
        for page in reader.pages(1, after, topics=SUBJECT_REGISTERED, size=PAGE):
            slugs.update((UUID(str(n.originator_id)), reader.decode(n).slug) for n in page)
    rows = (row for page in reader.rows(after, stop, size=PAGE) for row in page)
    result = Recomputed()
    try:
        for record in records.row_records(rows, ledger.mapper, slugs):
            result.add(record)
    except (ValueError, KeyError, TypeError) as e:
        result.unreadable = f"its stored event cannot be read ({e!r})"
    return result


_worker: Ledger | None = None  # in a worker process: the ledger it reads


def open_worker(env: dict[str, str]) -> None:
    global _worker
    gc.disable()  # the leaves are a million small objects and make no cycles
    _worker = Ledger(env=env)


def recompute_part(after: int, stop: int) -> Recomputed:
    """In a worker process: the leaves of one notification range."""
    assert _worker is not None, "open_worker() starts a worker process"
    return recompute_range(_worker, after, stop)
