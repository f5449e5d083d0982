"""Rebuilding the view from the event store, swapped in only when complete."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from uuid import UUID

from domain.subject import Subject
from domain.timeline import Fold
from infrastructure.bulk.batch_writer import BatchWriter
from infrastructure.bulk.collector import collector_paused
from infrastructure.encoding.catalogue_bodies import actor_body, subject_body
from infrastructure.store.event_reader import (
    FACT_RECORDED,
    RELATION_OPENED,
    ActorRegistered,
    EventReader,
    MilestoneRecorded,
    SubjectRegistered,
)
from infrastructure.view.changes import ViewChanges
from infrastructure.view.relation_diff import RelationDiff
from infrastructure.view.tables import SHADOW
from infrastructure.write.ledger import Ledger

PAGE = 2000
Progress = Callable[[int, int], None]  # (events done, events in all)


@dataclass
class _Relation:
    fold: Fold
    diff: RelationDiff


@dataclass
class Rebuild:
    """Folds every stored event into fresh shadow tables, then swaps them in.

    With `workers` > 1, on a store other processes can open (PostgreSQL), the bulk pass is
    shared out: each worker process folds the relations whose id falls to it and writes their
    rows, while this process waits; relations are independent, so the rows are the same.
    """

    ledger: Ledger
    workers: int = 1
    workers_after: int = 20_000  # events: a smaller store is not worth starting processes for
    relations: dict[UUID, _Relation] = field(default_factory=dict)
    subjects: set[UUID] = field(default_factory=set)
    last_id: int = 0
    events: int = 0
    position: int = 0  # facts met so far, in ledger order: the audit log's positions
    part: int = 0  # in a worker process, its share: the relations whose id % parts == part
    parts: int = 1  # (part 0 also takes the subjects and actors)
    reader: EventReader = field(init=False)

    def __post_init__(self) -> None:
        self.reader = EventReader(self.ledger)

    def run(self, progress: Progress | None = None) -> int:
        """Rebuild and swap in; return how many events were folded."""
        with collector_paused():  # the folds held are millions of objects
            return self._run(progress)

    def _run(self, progress: Progress | None) -> int:
        schema, dialect, rows = self.ledger.schema, self.ledger.dialect, self.ledger.rows
        schema.drop_shadow()
        schema.create(SHADOW, indexes=False)
        total = self.ledger.recorder.max_notification_id() or 0
        env = self.ledger.shared_env()
        if self.workers > 1 and total > self.workers_after and dialect.server_process and env is not None:
            self._bulk_in_workers(env, total, progress)
        else:
            self.bulk(None, progress)
        schema.create_indexes(SHADOW)
        with dialect.writing() as cursor:
            dialect.lock_writers(cursor)  # no event can commit until the swap is done
            while (changes := self._next_page(bulk=False)) is not None:
                rows.write(cursor, changes, SHADOW)
            rows.write(cursor, self._subject_changes(), SHADOW)
            schema.swap_in(cursor)
        schema.tidy()
        if progress:
            progress(self.events, self.events)
        return self.events

    def bulk(self, stop: int | None, progress: Progress | None = None) -> None:
        """Fold up to notification `stop` (all, if None), appending rows to the shadow tables.

        Rows are only appended (rows still open are held back and written at the end), and
        each page's rows are copied in while the next page is folded (see BatchWriter).
        """
        total = stop or self.ledger.recorder.max_notification_id() or 0
        with ThreadPoolExecutor(1, thread_name_prefix="rebuild-writer") as thread:
            writer = BatchWriter(thread if self.ledger.dialect.server_process else None)
            while (changes := self._next_page(bulk=True, stop=stop)) is not None:
                report = partial(progress, self.events, max(total, self.events)) if progress else None
                writer.send(self._append, changes, then=report)
            writer.settle()
        self._append(self._open_rows())

    def _bulk_in_workers(self, env: dict[str, str], stop: int, progress: Progress | None) -> None:
        """The bulk pass in `workers` processes, each folding its share of the relations."""
        spawn = multiprocessing.get_context("spawn")  # not fork: this process holds connections
        done = spawn.Array("q", self.workers)  # events each worker has gone through
        parts = self.workers
        with ProcessPoolExecutor(parts, mp_context=spawn, initializer=open_worker, initargs=(env, done)) as pool:
            futures = [pool.submit(fold_part, part, parts, stop) for part in range(parts)]
            while True:
                if progress:
                    progress(min(done[:]), stop)
                finished, running = wait(futures, timeout=0.5, return_when=FIRST_EXCEPTION)
                if not running or any(f.exception() for f in finished):
                    break
            events, subjects = _results(futures)
        self.last_id, self.events = stop, events
        self.subjects.update(subjects)

    def _next_page(self, *, bulk: bool, stop: int | None = None) -> ViewChanges | None:
        """Fold the next page of events (up to `stop`); its rows, or None at the end."""
        if stop is not None and self.last_id >= stop:
            return None
        page = next(self.reader.pages(self.last_id + 1, stop, size=PAGE), None)
        if not page:
            return None
        changes, touched = ViewChanges(), set()
        for n in page:
            topic, rid = n.topic, UUID(str(n.originator_id))
            if topic == FACT_RECORDED:
                self.position += 1
                if not self._own(rid):
                    continue  # another worker's: left undecoded
                event: Any = self.reader.decode(n)
                rel = self.relations.get(rid) or self._folded(rid, event.originator_version)
                rel.fold = rel.fold.plus(event.fact)
                changes.facts.append(rel.diff.record(event.fact, rel.fold.timeline, len(rel.fold.facts)))
                changes.positions.append(self.position)
                touched.add(rid)
            elif topic == RELATION_OPENED:
                if self._own(rid):
                    event = self.reader.decode(n)
                    self.relations[rid] = _Relation(Fold(), RelationDiff(rid, event.actor, event.subject, []))
            elif self.part == 0:
                self._catalogue(rid, self.reader.decode(n), changes)
        for rid in touched:
            changes.extend(self.relations[rid].diff.finish(keep_open=bulk))
        if not bulk:
            changes.positions = []  # under the writers' lock the view numbers facts itself
        self.last_id = page[-1].id
        self.events += len(page)
        return changes

    def _own(self, relation_id: UUID) -> bool:
        return self.parts == 1 or relation_id.int % self.parts == self.part

    def _folded(self, relation_id: UUID, version: int) -> _Relation:
        """A relation folded by a worker process, as it stood before `version`, from the store."""
        stored = self.ledger.recorder.select_events(relation_id, lte=version - 1)
        opened, *recorded = [self.reader.decode(s) for s in stored]
        fold = Fold()
        for event in recorded:
            fold = fold.plus(event.fact)  # type: ignore[attr-defined]
        diff = RelationDiff(relation_id, opened.actor, opened.subject, fold.timeline)  # type: ignore[attr-defined]
        self.relations[relation_id] = _Relation(fold, diff)
        return self.relations[relation_id]

    def _catalogue(self, rid: UUID, event: Any, changes: ViewChanges) -> None:
        """Subjects (written at the swap, from the store) and actors."""
        if isinstance(event, SubjectRegistered | MilestoneRecorded):
            self.subjects.add(rid)
        elif isinstance(event, ActorRegistered):
            changes.actors.append(actor_body(event))

    def _append(self, changes: ViewChanges) -> None:
        """One page's rows into the shadow tables, in a transaction of their own."""
        assert not changes.closes, "the bulk pass only appends rows"
        self.ledger.rows.prepare(changes)
        with self.ledger.dialect.writing() as cursor:
            self.ledger.rows.write(cursor, changes, SHADOW)

    def _open_rows(self) -> ViewChanges:
        """The rows held back by the bulk pass: every relation's open intervals."""
        changes = ViewChanges()
        for rel in self.relations.values():
            changes.inserts += rel.diff.finish().inserts
        return changes

    def _subject_changes(self) -> ViewChanges:
        subjects: list[Subject] = [self.ledger.repository.get(i) for i in sorted(self.subjects)]  # type: ignore[misc]
        return ViewChanges(subjects=[subject_body(s) for s in subjects])


def _results(futures: list[Future[tuple[int, list[UUID]]]]) -> tuple[int, list[UUID]]:
    """Events gone through (every worker goes through all) and the subjects met (by part 0)."""
    results = [f.result() for f in futures]  # the first failure is raised here
    return results[0][0], [s for _, subjects in results for s in subjects]


# In a worker process: its ledger, and where it counts the events it has gone through.
_worker: tuple[Ledger, Any] | None = None


def open_worker(env: dict[str, str], done: Any) -> None:
    global _worker
    gc.disable()  # as in collector_paused: the folds make no cycles
    _worker = (Ledger(env=env), done)


def fold_part(part: int, parts: int, stop: int) -> tuple[int, list[UUID]]:
    """In a worker process: fold and write this part's relations, up to notification `stop`."""
    assert _worker is not None, "open_worker() starts a worker process"
    ledger, done = _worker
    rebuild = Rebuild(ledger, part=part, parts=parts)

    def report(events: int, total: int) -> None:
        done[part] = events

    rebuild.bulk(stop, report)
    return rebuild.events, sorted(rebuild.subjects)
