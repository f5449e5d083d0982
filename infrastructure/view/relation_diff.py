"""Following a relation through its timelines: the view rows each new fact closes and opens."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from domain.dates import EARLIEST
from domain.facts import Fact
from domain.timeline import Interval
from infrastructure.view.changes import END_OF_SYSTEM_TIME, FactRow, StatusRow, ViewChanges
from infrastructure.view.status_json import status_json


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

    def record(self, fact: Fact, timeline: Sequence[Interval], version: int) -> FactRow:
        """The relation took `fact` as its `version`-th and its timeline became `timeline`:
        the fact's audit row; the status rows it closes and opens are kept for `finish`."""
        self.advance(timeline, fact.recorded_at, since_of(fact))
        return FactRow(fact, self.ids[0], version)

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
            rec.fact_id,
            rec.since_precision,
            rec.fact_id in status.approximate_facts,
            rec.fact_id in status.disputed_facts,
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
