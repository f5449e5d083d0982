"""Turning timelines into bitemporal view rows, the same way live and in a rebuild."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.dates import EARLIEST
from domain.facts import Fact
from domain.status import Status
from domain.timeline import Interval

END_OF_SYSTEM_TIME = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


@dataclass(frozen=True)
class StatusRow:
    """One valid-time interval of one relation, held by the ledger during [sys_from, sys_to)."""

    relation_id: UUID
    actor: str
    subject: str
    valid_from: date
    valid_to: date
    sys_from: datetime
    sys_to: datetime
    recognised: bool
    form: str | None
    rec_since: date | None
    level: str
    status: str  # canonical JSON of Status.to_dict()

    @property
    def key(self) -> tuple[date, date, str]:
        return (self.valid_from, self.valid_to, self.status)


@dataclass(frozen=True)
class FactRow:
    """A fact as the audit log holds it; `position` is given by the recorder."""

    fact: Fact
    relation_id: UUID
    relation_version: int


@dataclass
class ViewChanges:
    """Rows to write in the same transaction as the events that cause them."""

    facts: list[FactRow] = field(default_factory=list)
    closes: list[tuple[UUID, date, datetime]] = field(default_factory=list)
    inserts: list[StatusRow] = field(default_factory=list)
    subjects: list[dict[str, Any]] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    request: tuple[str, str, str, dict[str, Any]] | None = None  # principal, key, hash, answer
    positions: list[int] = field(default_factory=list)  # filled in by the recorder
    response: dict[str, Any] | None = None  # the stored answer, with its position

    def extend(self, other: ViewChanges) -> None:
        self.facts += other.facts
        self.closes += other.closes
        self.inserts += other.inserts
        self.subjects += other.subjects
        self.actors += other.actors


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class RelationDiff:
    """Follows one relation through new timelines, yielding rows to close and to insert.

    Rows that did not change stay open: their system-time interval goes on. Intervals
    ending before `since` (the earliest date a new fact can touch) are not compared.
    """

    def __init__(self, relation_id: UUID, actor: str, subject: str, current: Sequence[Interval]) -> None:
        self.ids = (relation_id, actor, subject)
        self.current: dict[Key, None] = {_key(iv): None for iv in current}
        self.pending: dict[Key, datetime] = {}  # opened here, not yet written: key -> sys_from
        self.closed_pending: list[StatusRow] = []
        self.changes = ViewChanges()

    def advance(self, timeline: Sequence[Interval], at: datetime, since: date = EARLIEST) -> None:
        """The relation's timeline became `timeline` at system time `at`."""
        new = {_key(iv): None for iv in timeline if iv.valid_to >= since}
        for key in [k for k in self.current if k[1] >= since and k not in new]:
            del self.current[key]
            if key in self.pending:
                self.closed_pending.append(self._row(key, self.pending.pop(key), at))
            else:
                self.changes.closes.append((self.ids[0], key[0], at))
        for key in new:
            if key not in self.current:
                self.current[key] = None
                self.pending[key] = at

    def finish(self) -> ViewChanges:
        """The rows to write; rows still open stay known for later closes."""
        changes, self.changes = self.changes, ViewChanges()
        opened = [self._row(key, sys_from, END_OF_SYSTEM_TIME) for key, sys_from in self.pending.items()]
        changes.inserts = self.closed_pending + opened
        self.closed_pending, self.pending = [], {}
        return changes

    def _row(self, key: Key, sys_from: datetime, sys_to: datetime) -> StatusRow:
        valid_from, valid_to, status = key
        rec = status.recognition
        return StatusRow(
            self.ids[0],
            self.ids[1],
            self.ids[2],
            valid_from,
            valid_to,
            sys_from,
            sys_to,
            rec.state == "recognised",
            rec.form,
            rec.since,
            status.level,
            status_json(status),
        )


Key = tuple[date, date, Status]


def _key(iv: Interval) -> Key:
    return (iv.valid_from, iv.valid_to, iv.status)


@lru_cache(maxsize=65536)
def status_json(status: Status) -> str:
    return canonical(status.to_dict())


def since_of(fact: Fact) -> date:
    """The earliest valid date a new fact can change: any date for a correction."""
    return EARLIEST if fact.type.is_correction else fact.effective_on.start
