"""Turning timelines into bitemporal view rows, the same way live and in a rebuild."""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from domain.dates import EARLIEST
from domain.facts import Fact
from domain.timeline import Interval
from infrastructure.view.status_json import status_json

END_OF_SYSTEM_TIME = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
# "As the ledger holds it now": only rows still open (sys_to = END_OF_SYSTEM_TIME) answer.
LATEST = END_OF_SYSTEM_TIME - timedelta(microseconds=1)


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
    # Parameters built before the transaction (StatusView.prepare): facts without positions.
    ready_facts: list[tuple[tuple[Any, ...], str, str]] | None = None
    ready_rows: list[tuple[Any, ...]] | None = None

    def extend(self, other: ViewChanges) -> None:
        self.facts += other.facts
        self.closes += other.closes
        self.inserts += other.inserts
        self.subjects += other.subjects
        self.actors += other.actors


def canonical(value: Any) -> str:
    """Compact JSON with sorted keys, unescaped non-ASCII: the one form bodies are stored in.

    orjson writes exactly what `json.dumps(sort_keys, compact, ensure_ascii=False)` writes for
    the ledger's values (strings, integers, booleans, null, lists, objects; never floats), a
    property test holds it to that; json takes what orjson refuses (integers past 64 bits,
    keys that are not strings).
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class RelationDiff:
    """Follows one relation through new timelines, yielding rows to close and to insert.

    Rows that did not change stay open: their system-time interval goes on. Intervals
    ending before `since` (the earliest date a new fact can touch) are not compared.
    """

    def __init__(self, relation_id: UUID, actor: str, subject: str, current: Sequence[Interval]) -> None:
        self.ids = (relation_id, actor, subject)
        # The open rows in valid-time order, each with the system time it was opened here
        # (None: already written).
        self.open: list[tuple[Interval, datetime | None]] = [(iv, None) for iv in current]
        self.closed_pending: list[StatusRow] = []
        self.changes = ViewChanges()

    def advance(self, timeline: Sequence[Interval], at: datetime, since: date = EARLIEST) -> None:
        """The relation's timeline became `timeline` at system time `at`."""
        i = bisect_left(self.open, since, key=_open_valid_to)
        old = {row[0].valid_from: row for row in self.open[i:]}
        kept = self.open[:i]
        for iv in timeline[bisect_left(timeline, since, key=_valid_to) :]:
            row = old.pop(iv.valid_from, None)
            if row is not None and (row[0] is iv or row[0] == iv):
                kept.append(row)
                continue
            if row is not None:
                self._close(row, at)
            kept.append((iv, at))
        for row in old.values():
            self._close(row, at)
        self.open = kept

    def _close(self, row: tuple[Interval, datetime | None], at: datetime) -> None:
        iv, opened = row
        if opened is None:
            self.changes.closes.append((self.ids[0], iv.valid_from, at))
        else:
            self.closed_pending.append(self._row(iv, opened, at))

    def finish(self, *, keep_open: bool = False) -> ViewChanges:
        """The rows to write; rows still open stay known for later closes.

        With `keep_open`, rows opened here and still open are held back (a rebuild writes
        them once at the end, so it never has to update a row it wrote).
        """
        changes, self.changes = self.changes, ViewChanges()
        changes.inserts = self.closed_pending
        self.closed_pending = []
        if not keep_open:
            changes.inserts += [self._row(iv, at, END_OF_SYSTEM_TIME) for iv, at in self.open if at is not None]
            self.open = [(iv, None) for iv, _ in self.open]
        return changes

    def _row(self, iv: Interval, sys_from: datetime, sys_to: datetime) -> StatusRow:
        status = iv.status
        rec = status.recognition
        return StatusRow(
            self.ids[0],
            self.ids[1],
            self.ids[2],
            iv.valid_from,
            iv.valid_to,
            sys_from,
            sys_to,
            rec.state == "recognised",
            rec.form,
            rec.since,
            status.level,
            status_json(status),
        )


def _valid_to(iv: Interval) -> date:
    return iv.valid_to


def _open_valid_to(row: tuple[Interval, datetime | None]) -> date:
    return row[0].valid_to


def since_of(fact: Fact) -> date:
    """The earliest valid date a new fact can change: any date for a correction."""
    return EARLIEST if fact.type.is_correction else fact.effective_on.start
