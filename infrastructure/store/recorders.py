"""Application recorders that write the status view in the events' own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from infrastructure.store import fact_function as pgwrite
from infrastructure.view.postgres import PostgresStatusView
from infrastructure.view.rows import ViewChanges
from infrastructure.view.sqlite import SQLiteStatusView

SCHEMA_LOCK = 7_254_001  # an advisory lock key of this application: creating tables


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """Stores events, then the view rows passed as `view_changes`, in one transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.view = SQLiteStatusView(datastore)

    def create_table(self) -> None:
        super().create_table()
        self.view.create_tables()

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        changes: ViewChanges | None = kwargs.get("view_changes")
        if changes is not None:
            self.view.write(c.sqlite_cursor, changes)
        return ids


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """Stores events, then the view rows, while holding the events table lock.

    The rows are written after the insert so positions follow commit order. A write of facts
    goes as one call of a database function (see pgwrite); other writes (subjects, milestones)
    take the library's pipelined transaction, with their rows added to it.
    """

    one_trip = True  # facts through the database function; tests turn it off to compare

    @property
    def answers_overtaken(self) -> bool:
        """Whether a write of facts from an overtaken copy is answered by Overtaken (see pgwrite)."""
        return self.one_trip

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.view = PostgresStatusView(datastore, events_table_name)
        # The library's insert sends events as one array of a composite type, which psycopg
        # writes as escaped text (the state's bytes in hex, then escaped again, by regex).
        # Four arrays in binary carry the same rows at a fraction of the cost.
        self.insert_columns_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(
            schema=Identifier(datastore.schema),
            table=Identifier(events_table_name),
            id_type=Identifier(datastore.originator_id_type),
        )

    def create_table(self) -> None:
        # Server workers start together; concurrent CREATE OR REPLACE FUNCTION (the library's)
        # fails with "tuple concurrently updated". One process at a time, then.
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [SCHEMA_LOCK])
            try:
                super().create_table()
                self.view.create_tables()
                conn.execute(self._write_function_sql().encode())
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [SCHEMA_LOCK])
                conn.commit()

    def _write_function_sql(self) -> str:
        events = f'"{self.datastore.schema}"."{self.events_table_name}"'
        return pgwrite.create_function_sql(
            events, self.channel_name, self.datastore.lock_timeout, self.view.end_literal
        )

    # The library retries these ten times on OperationalError; with the database away that
    # hangs a request for many seconds. Fail at once instead: the API answers 503 + Retry-After.
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        changes: ViewChanges | None = kwargs.get("view_changes")
        if kwargs.get("bulk"):
            assert changes is not None
            self._load(stored_events, changes)
            return None
        if self.one_trip and changes is not None and changes.facts and not changes.subjects and not changes.actors:
            return self._write_facts(stored_events, changes)
        return _once(PostgresApplicationRecorder.insert_events)(self, stored_events, **kwargs)  # type: ignore[no-any-return]

    def _write_facts(self, stored_events: Sequence[StoredEvent], changes: ViewChanges) -> Sequence[int]:
        """Events and view rows of a fact write in one statement, one round trip (see pgwrite)."""
        self.view.prepare(changes)
        args = pgwrite.call_args(stored_events, changes)
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(pgwrite.CALL.encode(), args, prepare=True)
            return pgwrite.settle(changes, curs.fetchall())

    def _load(self, stored_events: Sequence[StoredEvent], changes: ViewChanges) -> None:
        """An import's batch: the events, then the view rows by COPY (which a pipeline cannot
        carry), in one transaction under the same lock as every other insert."""
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            self._insert_columns(curs, stored_events)
            self.view.load(curs, changes)

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

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # As the library does (lock, notify, insert), with the events as four binary arrays.
        self._lock_table(curs)
        self._notify_channel(curs)
        self._insert_columns(curs, stored_events)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        changes: ViewChanges | None = kwargs.get("view_changes")
        if changes is not None:
            self.view.write(curs, changes)
        return ids


def _once(method: Any) -> Any:
    """The method without the library's retry decorator."""
    return getattr(method, "__wrapped__", method)
