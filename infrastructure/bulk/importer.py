"""Import of exported JSON Lines, in batches, each batch one transaction; an interrupted import resumes."""

from __future__ import annotations

import gc
import json
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from domain.facts import Fact
from domain.relation import Relation
from domain.subject import Subject
from infrastructure.bulk.batch_writer import BatchWriter
from infrastructure.bulk.collector import collector_paused
from infrastructure.bulk.lines import actor_from_line, fact_from_line, milestone_from_line, subject_from_line
from infrastructure.bulk.stored_lines import StoredLines
from infrastructure.encoding.catalogue_bodies import actor_body, subject_body
from infrastructure.errors import ImportMismatch, NotFound
from infrastructure.view.changes import ViewChanges
from infrastructure.view.relation_diff import RelationDiff
from infrastructure.write.ledger import Ledger

PAGE = 1000
WRITER_AFTER = 20_000  # lines: an import bigger than this commits in a writer process


@dataclass
class ImportReport:
    """What an import did: lines written, and lines skipped as already present."""

    written: int = 0
    skipped: int = 0


class Importer:
    """Writes exported lines back, in batches, each batch one transaction.

    Lines already in the ledger (same id) are skipped, so an interrupted import resumes; one
    stored otherwise than it says stops the import before its batch is written.
    """

    def __init__(self, ledger: Ledger, batch_size: int = 500, *, writer_after: int = WRITER_AFTER) -> None:
        self.ledger = ledger
        self.batch_size = batch_size
        # Once this many lines are sent, later batches commit in a process of its own (see
        # _write); an import smaller than that is not worth starting one.
        self.writer_after = writer_after
        self.report = ImportReport()
        self.stored = StoredLines(ledger)
        # Kept across batches: relations with their folds and open rows, names known to exist.
        self.relations: dict[UUID, tuple[Relation, RelationDiff]] = {}
        self.subjects: dict[str, Subject] = {}  # registered or changed by this import
        self.known_actors: set[str] = set()
        self.resuming = True  # lines are checked for presence until the first absent one
        self.position: int | None = None  # of the next fact, once known
        self.log_index: int | None = None  # of the next record, once known
        # Into a ledger that was empty when this import began, every relation and subject is
        # this import's own: none need be looked up in the database.
        self.fresh = False
        # Into an empty ledger, the view's secondary indexes are built once at the end.
        self.indexes_dropped = False
        self.writer: BatchWriter | None = None  # commits batches, one at a time, in order
        self.stack: ExitStack | None = None  # what run() closes on the way out: the writer process
        self.sent = 0  # lines sent to be committed

    def run(self, lines: Iterable[str], progress: Any = None) -> ImportReport:
        try:
            with ExitStack() as stack:
                stack.enter_context(collector_paused())  # the folds kept are millions of objects
                self.writer, self.stack = BatchWriter(), stack
                try:
                    self._run(lines, progress)
                finally:
                    self._settle()  # the batch sent last is committed, or its failure is raised
        finally:
            self.writer = self.stack = None
            if self.indexes_dropped:  # also when the import stopped: the ledger stays fast to read
                self.ledger.schema.create_indexes()
        if self.report.written:
            self.ledger.schema.tidy()  # fresh statistics, no dead row versions left by the closes
        return self.report

    def _forget(self) -> None:
        # Aggregates may hold facts that were never stored: start again from the database.
        self.relations.clear()
        self.subjects.clear()
        self.position = self.log_index = None

    def _run(self, lines: Iterable[str], progress: Any) -> None:
        batch: list[dict[str, Any]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ImportMismatch(f"line {number}: not JSON ({e.msg})") from None
            if not isinstance(record, dict) or "record" not in record:
                raise ImportMismatch(f"line {number}: not a ledger record")
            if record["record"] == "checkpoint":  # what the records before it hash to (--expect-checkpoint)
                continue
            record["_line"] = number
            batch.append(record)
            if len(batch) >= self.batch_size:
                self._write(batch, progress)
                batch = []
        if batch:
            self._write(batch, progress)

    def _write(self, records: list[dict[str, Any]], progress: Any) -> None:
        """Fold this batch, then send it to be committed.

        The first `writer_after` lines commit here. Later batches commit in a process of its
        own, while the next batch is folded here: folding and committing are both mostly
        Python, so a thread would only take turns with this one, while a process runs on the
        other core. (It needs a store another process can open: not SQLite in memory.)

        A failure (of a fold here, or of a commit there) stops the import with every batch
        before the failing one committed and none after it.
        """
        try:
            prepared = self._prepare(records)
        except Exception:
            self._settle()  # the batches before this one are written, or the first failure wins
            self._forget()
            raise
        if prepared is None:
            self._settle()
            if progress:
                progress(len(records))
            return
        events, changes, count = prepared
        writer = self.writer
        assert writer is not None and self.stack is not None
        env = self.ledger.shared_env()
        if writer.executor is None and self.sent >= self.writer_after and env is not None:
            spawn = multiprocessing.get_context("spawn")  # not fork: this process holds connections
            process = ProcessPoolExecutor(1, mp_context=spawn, initializer=open_writer, initargs=(env,))
            writer.hand_over(self.stack.enter_context(process))
        self.sent += count
        try:
            if writer.executor is None:
                writer.send(commit_batch, self.ledger, events, changes, then=partial(self._done, count, progress))
            else:
                writer.send(commit_in_writer, events, changes, then=partial(self._done, count, progress))
        except BaseException:
            self._forget()
            raise

    def _done(self, count: int, progress: Any) -> None:
        """A batch of `count` lines is committed."""
        self.report.written += count
        if progress:
            progress(count)

    def _settle(self) -> None:
        """Wait for the batch being committed; raise its failure, if it failed."""
        if self.writer is None:
            return
        try:
            self.writer.settle()
        except BaseException:
            self._forget()
            raise

    def _prepare(self, records: list[dict[str, Any]]) -> tuple[list[Any], ViewChanges, int] | None:
        """Fold a batch into events and view rows, reading only what earlier batches did not write."""
        todo = records
        if self.resuming:
            todo = [r for r in records if not self.stored.present(r)]  # ImportMismatch if stored otherwise
            self.resuming = not todo
        self.report.skipped += len(records) - len(todo)
        if not todo:
            return None
        if self.position is None or self.log_index is None:
            self.position = self.ledger.view.max_position() + 1
            self.log_index = self.ledger.tree.size()
            self.fresh = not self.ledger.recorder.max_notification_id()
            if self.fresh:
                self.ledger.schema.drop_indexes()
                self.indexes_dropped = True
        position = self.position
        log_index = self.log_index
        relations = self.relations
        touched: set[UUID] = set()
        subjects: dict[str, Subject] = {}  # changed in this batch
        events: list[Any] = []  # in line order, so ledger order survives the round trip
        changes = ViewChanges()
        for r in todo:
            kind = r["record"]
            if kind in ("subject", "milestone", "actor", "fact"):
                self._expect(r, "log_index", log_index)
                log_index += 1
            if kind == "subject":
                subject = subject_from_line(r)
                subjects[r["id"]] = subject
                events += subject.collect_events()
            elif kind == "milestone":
                slug = r["subject"]
                subject = subjects.get(slug) or self.subjects.get(slug) or self.ledger.load_subject(slug)
                subjects[slug] = subject
                subject.add_milestone(milestone_from_line(r))
                events += subject.collect_events()
            elif kind == "actor":
                actor = actor_from_line(r)
                events += actor.collect_events()
                changes.actors.append(actor_body(actor))
            elif kind == "fact":
                fact = self._fact(r, subjects, {a["code"] for a in changes.actors})
                rid = Relation.create_id(fact.actor, fact.subject)
                if rid not in relations:
                    if self.fresh:
                        relation = Relation(actor=fact.actor, subject=fact.subject)
                    else:
                        relation = self.ledger.load_relation(fact.actor, fact.subject)
                    before = relation.timeline if relation.facts else []
                    relations[rid] = (relation, RelationDiff(rid, fact.actor, fact.subject, before))
                relation, diff = relations[rid]
                touched.add(rid)
                changes.facts.append(diff.record(fact, relation.record(fact), len(relation.facts)))
                events += relation.collect_events()
                self._expect(r, "position", position)
                self._expect(r, "relation_version", len(relation.facts))
                position += 1
            else:
                raise ImportMismatch(f"line {r['_line']}: unknown record {kind!r}")
        for rid in touched:
            changes.extend(relations[rid][1].finish())
        changes.subjects = [subject_body(subject) for subject in subjects.values()]
        self.subjects.update(subjects)
        self.known_actors.update(a["code"] for a in changes.actors)
        self.position = position
        self.log_index = log_index
        return events, changes, len(todo)

    def _fact(self, r: dict[str, Any], subjects: dict[str, Subject], new_actors: set[str]) -> Fact:
        fact = fact_from_line(r)  # its time in UTC, or ImportMismatch naming the line
        if fact.actor not in new_actors and fact.actor not in self.known_actors:
            self.known_actors.add(self.ledger.actors.get(fact.actor).code)
        if fact.subject in subjects or fact.subject in self.subjects:
            return fact
        if self.fresh or not self.ledger.subjects.exists(fact.subject):
            raise NotFound("subject", fact.subject)
        return fact

    @staticmethod
    def _expect(r: dict[str, Any], key: str, actual: int) -> None:
        if key in r and r[key] != actual:
            raise ImportMismatch(
                f"line {r['_line']}: {key} would be {actual}, the line says {r[key]}; "
                "import into an empty ledger to keep system fields"
            )


def commit_batch(ledger: Ledger, events: list[Any], changes: ViewChanges) -> None:
    """One batch's events and view rows, in one transaction."""
    ledger.rows.prepare(changes)  # before the transaction, not while it waits
    # Straight to the event store: events already in line order, no per-object type checks;
    # bulk: on PostgreSQL the rows go by COPY, outside the pipeline of single writes.
    ledger.events.put(events, view_changes=changes, bulk=True)


_writer_ledger: Ledger | None = None  # in a writer process: the ledger it commits to


def open_writer(env: dict[str, str]) -> None:
    """Start a writer process: open the ledger's store (see Ledger.shared_env)."""
    global _writer_ledger
    gc.disable()  # as in the importer (collector_paused): batches are freed by reference counting
    _writer_ledger = Ledger(env=env)


def commit_in_writer(events: list[Any], changes: ViewChanges) -> None:
    """In a writer process: commit a batch sent from the importer."""
    assert _writer_ledger is not None, "open_writer() starts a writer process"
    commit_batch(_writer_ledger, events, changes)
