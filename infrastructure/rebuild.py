"""Rebuilding the view from the event store, swapped in only when complete."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from uuid import UUID

from domain.subject import Subject
from domain.timeline import Fold
from infrastructure.application import Ledger
from infrastructure.collector import collector_paused
from infrastructure.projection import FactRow, RelationDiff, ViewChanges, since_of
from infrastructure.subjects import subject_body
from infrastructure.timefmt import rfc3339
from infrastructure.views.base import SHADOW
from infrastructure.writer import BatchWriter

PAGE = 2000
Progress = Callable[[int, int], None]  # (events done, events in all)


@dataclass
class _Relation:
    fold: Fold
    diff: RelationDiff


@dataclass
class Rebuild:
    """Folds every stored event into fresh shadow tables, then swaps them in."""

    ledger: Ledger
    relations: dict[UUID, _Relation] = field(default_factory=dict)
    subjects: set[UUID] = field(default_factory=set)
    last_id: int = 0
    events: int = 0

    def run(self, progress: Progress | None = None) -> int:
        """Rebuild and swap in; return how many events were folded."""
        with collector_paused():  # the folds held are millions of objects
            return self._run(progress)

    def _run(self, progress: Progress | None) -> int:
        view = self.ledger.view
        view.drop_shadow()
        view.create_tables(SHADOW, indexes=False)
        total = self.ledger.recorder.max_notification_id() or 0
        # The bulk: rows are only appended (rows still open are held back), indexes come after.
        # Each page's rows are copied in while the next page is folded (see BatchWriter).
        with ThreadPoolExecutor(1, thread_name_prefix="rebuild-writer") as thread:
            writer = BatchWriter(thread if view.server_process else None)
            while (changes := self._next_page(bulk=True)) is not None:
                report = partial(progress, self.events, max(total, self.events)) if progress else None
                writer.send(self._append, changes, then=report)
            writer.settle()
        held = self._open_rows()
        view.prepare(held)
        with view.writing() as cursor:
            view.append(cursor, held, SHADOW)
        view.create_indexes(SHADOW)
        with view.writing() as cursor:
            view.lock_writers(cursor)  # no event can commit until the swap is done
            while (changes := self._next_page(bulk=False)) is not None:
                view.write(cursor, changes, SHADOW)
            view.write(cursor, self._subject_changes(), SHADOW)
            view.swap_in(cursor)
        view.tidy()
        if progress:
            progress(self.events, self.events)
        return self.events

    def _next_page(self, *, bulk: bool) -> ViewChanges | None:
        """Fold the next page of events; the rows it makes, or None at the end of the store."""
        page = self.ledger.recorder.select_notifications(self.last_id + 1, PAGE)
        if not page:
            return None
        changes, touched = ViewChanges(), set()
        for n in page:
            event: Any = self.ledger.mapper.to_domain_event(n)
            kind, rid = type(event).__qualname__, UUID(str(n.originator_id))
            if kind == "Relation.Opened":
                self.relations[rid] = _Relation(Fold(), RelationDiff(rid, event.actor, event.subject, []))
            elif kind == "Relation.FactRecorded":
                rel = self.relations[rid]
                rel.fold = rel.fold.plus(event.fact)
                rel.diff.advance(rel.fold.timeline, event.fact.recorded_at, since_of(event.fact))
                changes.facts.append(FactRow(event.fact, rid, len(rel.fold.facts)))
                touched.add(rid)
            elif kind.startswith("Subject."):
                self.subjects.add(rid)
            elif kind == "RegisteredActor.Registered":
                changes.actors.append(
                    {
                        "code": event.code,
                        "name": event.name,
                        "kind": event.kind.value,
                        "registered_at": rfc3339(event.registered_at),
                    }
                )
        for rid in touched:
            rows = self.relations[rid].diff.finish(keep_open=bulk)
            changes.closes += rows.closes
            changes.inserts += rows.inserts
        self.last_id = page[-1].id
        self.events += len(page)
        return changes

    def _append(self, changes: ViewChanges) -> None:
        """One page's rows into the shadow tables, in a transaction of their own."""
        view = self.ledger.view
        view.prepare(changes)
        with view.writing() as cursor:
            view.append(cursor, changes, SHADOW)

    def _open_rows(self) -> ViewChanges:
        """The rows held back by the bulk pass: every relation's open intervals."""
        changes = ViewChanges()
        for rel in self.relations.values():
            changes.inserts += rel.diff.finish().inserts
        return changes

    def _subject_changes(self) -> ViewChanges:
        subjects: list[Subject] = [self.ledger.repository.get(i) for i in sorted(self.subjects)]  # type: ignore[misc]
        return ViewChanges(subjects=[subject_body(s) for s in subjects])
