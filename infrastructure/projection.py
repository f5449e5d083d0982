"""Turning timelines into bitemporal view rows, the same way live and in a rebuild."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.facts import Fact
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


def rows_of(
    relation_id: UUID, actor: str, subject: str, timeline: Sequence[Interval], sys_from: datetime
) -> list[StatusRow]:
    """The open rows that stand for a timeline, from system time `sys_from` on."""
    rows = []
    for iv in timeline:
        rec = iv.status.recognition
        rows.append(
            StatusRow(
                relation_id,
                actor,
                subject,
                iv.valid_from,
                iv.valid_to,
                sys_from,
                END_OF_SYSTEM_TIME,
                rec.state == "recognised",
                rec.form,
                rec.since,
                iv.status.level,
                canonical(iv.status.to_dict()),
            )
        )
    return rows


class RelationDiff:
    """Follows one relation through new facts, yielding rows to close and to insert.

    Rows that did not change stay open: their system-time interval goes on.
    """

    def __init__(self, relation_id: UUID, actor: str, subject: str, current: Sequence[Interval]) -> None:
        self.ids = (relation_id, actor, subject)
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        self.current = {r.key: r for r in rows_of(relation_id, actor, subject, current, epoch)}
        self.pending: dict[tuple[date, date, str], StatusRow] = {}
        self.closed_pending: list[StatusRow] = []
        self.changes = ViewChanges()

    def advance(self, timeline: Sequence[Interval], at: datetime) -> None:
        """The relation's timeline became `timeline` at system time `at`."""
        new = {r.key: r for r in rows_of(*self.ids, timeline, at)}
        for key, row in list(self.current.items()):
            if key in new:
                continue
            del self.current[key]
            if key in self.pending:
                self.closed_pending.append(replace(self.pending.pop(key), sys_to=at))
            else:
                self.changes.closes.append((self.ids[0], row.valid_from, at))
        for key, row in new.items():
            if key not in self.current:
                self.current[key] = row
                self.pending[key] = row

    def finish(self) -> ViewChanges:
        """The rows to write; rows still open stay known for later closes."""
        changes, self.changes = self.changes, ViewChanges()
        changes.inserts = self.closed_pending + list(self.pending.values())
        self.closed_pending, self.pending = [], {}
        return changes
