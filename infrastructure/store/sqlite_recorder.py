"""The event store in SQLite, writing the view's rows in the events' own transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from infrastructure.errors import Overtaken
from infrastructure.sql.sqlite import SQLiteDialect
from infrastructure.store.idempotency import KeptAnswer
from infrastructure.store.view_recording import ViewRecording
from infrastructure.view.changes import ViewChanges


class LedgerSQLiteRecorder(ViewRecording, SQLiteApplicationRecorder):
    """Stores events, then their view rows and kept answer, in one transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.open_view(SQLiteDialect(datastore))

    def create_table(self) -> None:
        with self.dialect.schema_lock():  # not while another process rebuilds an outdated view
            super().create_table()
            self.create_view()

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            ids = super()._insert_events(c, stored_events, **kwargs)
        except sqlite3.IntegrityError:
            raise self._overtaken(c.sqlite_cursor, stored_events[0]) from None
        changes: ViewChanges | None = kwargs.get("view_changes")
        if changes is not None:
            self.rows.write(c.sqlite_cursor, changes)
            self.tree.append(c.sqlite_cursor, changes.leaves)
        kept: KeptAnswer | None = kwargs.get("kept")
        if kept is not None:
            self.answers.write(c.sqlite_cursor, kept, changes.positions[0] if changes and changes.positions else None)
        return ids

    def _overtaken(self, cursor: sqlite3.Cursor, first: StoredEvent) -> Exception:
        """The stored events from the version a write from an overtaken copy would have taken."""
        cursor.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events_table_name} "
            "WHERE originator_id = ? AND originator_version >= ? ORDER BY originator_version",
            [
                first.originator_id.hex if isinstance(first.originator_id, UUID) else first.originator_id,
                first.originator_version,
            ],
        )
        missing = [StoredEvent(UUID(r[0]), r[1], r[2], r[3]) for r in cursor.fetchall()]
        return Overtaken(missing) if missing else sqlite3.IntegrityError("the events' versions are already stored")
