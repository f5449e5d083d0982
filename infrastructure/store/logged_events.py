"""The event store through which every record is saved: each save carries its records' leaves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import EventStore, Recording

from domain.subject import Subject
from infrastructure.log.records import record_hash, records_of
from infrastructure.log.tree import Leaf
from infrastructure.view.changes import ViewChanges


class LoggedEventStore(EventStore[Any]):
    """Puts events with the leaves of the records they store, for the recorder to append to the
    log in their transaction (a record is never stored without its leaf, nor a leaf without it)."""

    logging = True  # off only where a benchmark measures what the log costs

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[Any]]:
        changes: ViewChanges | None = kwargs.get("view_changes")
        if changes is None:
            raise TypeError("the ledger's events are saved with their view changes")
        if self.logging:
            changes.leaves = leaves(domain_events, changes)
        return super().put(domain_events, **kwargs)


def leaves(events: Sequence[Any], changes: ViewChanges) -> list[Leaf]:
    """The leaves of the records among the events, in their order."""
    slugs = {Subject.create_id(body["id"]): body["id"] for body in changes.subjects}
    return [
        Leaf(record_hash(record), record["fact_id"] if record["record"] == "fact" else None)
        for record in records_of(events, slugs)
    ]
