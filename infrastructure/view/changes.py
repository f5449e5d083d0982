"""The rows one write adds to the view, made before its transaction and written inside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.facts import Fact

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
    rec_fact: UUID | None
    rec_precision: str | None
    rec_approximate: bool
    rec_disputed: bool
    level: str
    status: str  # canonical JSON of Status.to_dict()


@dataclass(frozen=True)
class FactRow:
    """A fact as the audit log holds it; its position is given when it is written."""

    fact: Fact
    relation_id: UUID
    relation_version: int


@dataclass
class ViewChanges:
    """Rows to write in the same transaction as the events that cause them."""

    facts: list[FactRow] = field(default_factory=list)
    closes: list[tuple[UUID, date, datetime]] = field(default_factory=list)  # (relation, valid_from, at)
    inserts: list[StatusRow] = field(default_factory=list)
    subjects: list[dict[str, Any]] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # the facts', once written
    # The log's leaves of the records these changes store, in ledger order (set by the event store).
    leaves: list[Any] = field(default_factory=list)
    # The rows' parameters, built by RowWriter.prepare before the transaction.
    fact_params: list[tuple[Any, ...]] | None = None  # without the position, which comes first
    status_params: list[tuple[Any, ...]] | None = None

    def extend(self, other: ViewChanges) -> None:
        """Add another change's closes and rows (not facts: they keep their order apart)."""
        self.closes += other.closes
        self.inserts += other.inserts
        self.subjects += other.subjects
        self.actors += other.actors
