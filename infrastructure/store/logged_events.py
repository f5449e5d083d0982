"""The event store through which every record is saved: each save carries its records' leaves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import EventStore, Notification, Recording, StoredEvent

from domain.subject import Subject
from infrastructure.log.records import record_hash, stored_records
from infrastructure.log.tree import Leaf
from infrastructure.view.changes import ViewChanges


class LoggedEventStore(EventStore[Any]):
    """Puts events with the leaves of the records they store, for the recorder to append to the
    log in their transaction (a record is never stored without its leaf, nor a leaf without it).
    The leaves are made from the stored events, as `ledger verify` remakes them."""

    logging = True  # off only where a benchmark measures what the log costs

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[Any]]:
        changes: ViewChanges | None = kwargs.get("view_changes")
        if changes is None:
            raise TypeError("the ledger's events are saved with their view changes")
        stored = [self.mapper.to_stored_event(e) for e in domain_events]
        if self.logging:
            changes.leaves = self.leaves(stored, changes)
        ids = self.recorder.insert_events(stored, **kwargs)
        if not ids:
            return []
        return [
            Recording(d, Notification(s.originator_id, s.originator_version, s.topic, s.state, n))
            for d, s, n in zip(domain_events, stored, ids, strict=True)
        ]

    def leaves(self, stored: Sequence[StoredEvent], changes: ViewChanges) -> list[Leaf]:
        """The leaves of the records among the events, in their order."""
        slugs = {Subject.create_id(body["id"]): body["id"] for body in changes.subjects}
        return [
            Leaf(record_hash(record), record["fact_id"] if record["record"] == "fact" else None)
            for record in stored_records(stored, self.mapper, slugs)
        ]
