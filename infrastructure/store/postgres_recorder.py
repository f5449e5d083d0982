"""The event store in PostgreSQL, writing the view's rows with the events: a single write in
one statement (see postgres_write), a bulk load's batch in one transaction with COPY."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from infrastructure.sql.postgres import PostgresDialect
from infrastructure.store import postgres_write
from infrastructure.store.idempotency import KeptAnswer
from infrastructure.store.view_recording import ViewRecording
from infrastructure.view.changes import ViewChanges


class LedgerPostgresRecorder(ViewRecording, PostgresApplicationRecorder):
    """Stores events with their view rows and kept answer, under the events table's lock, so
    positions follow commit order."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.open_view(PostgresDialect(datastore, events_table_name))
        # The library sends events as one array of a composite type, which psycopg writes as
        # escaped text; four arrays in binary carry the same rows for a fraction of the cost.
        self.insert_columns_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
        ).format(
            schema=Identifier(datastore.schema),
            table=Identifier(events_table_name),
            id_type=Identifier(datastore.originator_id_type),
        )

    def create_table(self) -> None:
        with self.dialect.schema_lock():
            super().create_table()
            self.create_view()
            events = f'"{self.datastore.schema}"."{self.events_table_name}"'
            sql = postgres_write.create_function_sql(
                events, self.channel_name, self.datastore.lock_timeout, self.dialect.end_literal
            )
            with self.datastore.get_connection() as conn:
                conn.execute(sql.encode())

    # The library retries these ten times on OperationalError; with the database away that
    # hangs a request for many seconds. Fail at once instead: the API answers 503 + Retry-After.
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        changes: ViewChanges | None = kwargs.get("view_changes")
        if changes is None:
            assert kwargs.get("kept") is None, "an answer is kept only with the rows of its write"
            return _once(PostgresApplicationRecorder.insert_events)(self, stored_events, **kwargs)  # type: ignore[no-any-return]
        if kwargs.get("bulk"):
            self._load(stored_events, changes)
            return None
        return self._write(stored_events, changes, kwargs.get("kept"))

    def _write(self, stored_events: Sequence[StoredEvent], changes: ViewChanges, kept: KeptAnswer | None) -> list[int]:
        """Events, view rows and kept answer in one statement, one round trip."""
        self.rows.prepare(changes)
        args = postgres_write.call_args(stored_events, changes, kept)
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(postgres_write.CALL.encode(), args, prepare=True)
            return postgres_write.settle(changes, curs.fetchall())

    def _load(self, stored_events: Sequence[StoredEvent], changes: ViewChanges) -> None:
        """A bulk load's batch: the events, then the view rows by COPY, in one transaction under
        the same lock as every other insert."""
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            self._insert_columns(curs, stored_events)
            self.rows.write(curs, changes)
            self.tree.append(curs, changes.leaves)

    def _insert_columns(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> None:
        columns: tuple[list[Any], ...] = ([], [], [], [])
        for e in stored_events:
            columns[0].append(e.originator_id)
            columns[1].append(e.originator_version)
            columns[2].append(e.topic)
            columns[3].append(e.state)
        curs.execute(self.insert_columns_statement, columns)

    def select_events(self, originator_id: Any, **kwargs: Any) -> Sequence[StoredEvent]:
        return _once(PostgresApplicationRecorder.select_events)(self, originator_id, **kwargs)  # type: ignore[no-any-return]

    def select_notifications(self, *args: Any, **kwargs: Any) -> Sequence[Notification]:
        return _once(PostgresApplicationRecorder.select_notifications)(self, *args, **kwargs)  # type: ignore[no-any-return]

    def max_notification_id(self) -> int | None:
        return _once(PostgresApplicationRecorder.max_notification_id)(self)  # type: ignore[no-any-return]


def _once(method: Any) -> Any:
    """The method without the library's retry decorator."""
    return getattr(method, "__wrapped__", method)
