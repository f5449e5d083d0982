"""The PostgreSQL dialect: native dates and times, in the event store's own database and pool."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row

from infrastructure.sql.dialect import Dialect
from infrastructure.sql.table import Index

END_LITERAL = "'9999-12-31 23:59:59.999999+00'"
SCHEMA_LOCK = 7_254_001  # an advisory lock key of this application: creating tables
TYPES = {
    t: t for t in ("uuid", "bigint", "integer", "text", "date", "timestamptz", "boolean", "bytea")
}  # the portable ones


class PostgresDialect(Dialect):
    """Statements sent as prepared bytes; many rows go by COPY or as arrays."""

    end_literal = END_LITERAL
    server_process = True
    types: ClassVar[dict[str, str]] = TYPES

    def __init__(self, datastore: PostgresDatastore, events_table: str) -> None:
        self.datastore = datastore
        self.events_table = events_table

    def sql(self, statement: str, tables: Mapping[str, str] | None = None) -> str:
        return super().sql(statement, tables).replace("?", "%s")

    def create_index_sql(self, index: Index, table: str) -> str:
        include = f" INCLUDE ({', '.join(index.covering)})" if index.covering else ""
        where = f" WHERE {index.where.replace('END', self.end_literal)}" if index.where else ""
        return f"CREATE INDEX IF NOT EXISTS {table}_{index.suffix} ON {table} ({', '.join(index.key)}){include}{where}"

    def rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql.encode(), list(params), prepare=True)
            return [dict(r) for r in curs.fetchall()]

    def tuples(self, sql: str, params: Sequence[Any], *, binary: bool = False) -> list[tuple[Any, ...]]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row, binary=binary) as curs:
            curs.execute(sql.encode(), list(params), prepare=True)
            return curs.fetchall()

    @contextmanager
    def writing(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as curs:
            yield curs

    def execute(self, cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
        cursor.execute(sql.encode(), list(params))

    def executemany(self, cursor: Any, sql: str, params: Sequence[Sequence[Any]]) -> None:
        cursor.executemany(sql.encode(), params)

    def copy(self, cursor: Any, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN".encode()) as copy:
                for row in rows:
                    copy.write_row(row)

    def close_rows(self, cursor: Any, table: str, closes: Sequence[tuple[UUID, date, datetime]]) -> None:
        if closes:
            ids, days, times = (list(c) for c in zip(*closes, strict=True))
            sql = (
                f"UPDATE {table} AS s SET sys_to = c.at "
                "FROM unnest(%b::uuid[], %b::date[], %b::timestamptz[]) AS c (relation_id, valid_from, at) "
                f"WHERE s.relation_id = c.relation_id AND s.valid_from = c.valid_from AND s.sys_to = {END_LITERAL}"
            )
            cursor.execute(sql.encode(), [ids, days, times])

    def day(self, value: date) -> date:
        return value

    def time(self, value: datetime) -> datetime:
        return value

    def column_names(self, cursor: Any, table: str) -> set[str]:
        cursor.execute(
            b"SELECT column_name FROM information_schema.columns "
            b"WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
        return {row["column_name"] for row in cursor.fetchall()}

    def index_names(self, cursor: Any, like: str) -> list[str]:
        cursor.execute(
            b"SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE %s", [like]
        )
        return [row["indexname"] for row in cursor.fetchall()]

    def rename_index(self, cursor: Any, old: str, new: str) -> bool:
        cursor.execute(f"ALTER INDEX {old} RENAME TO {new}".encode())
        return True

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        # Concurrent CREATE OR REPLACE FUNCTION and CREATE TABLE IF NOT EXISTS can fail ("tuple
        # concurrently updated", a unique violation): server workers start together.
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [SCHEMA_LOCK])
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [SCHEMA_LOCK])

    def notification_id(self, events_table: str, originator_id: UUID, version: int) -> int | None:
        sql = f"SELECT notification_id FROM {events_table} WHERE originator_id = %s AND originator_version = %s"
        rows = self.tuples(sql, [originator_id, version])
        return int(rows[0][0]) if rows else None

    def event_rows(self, events_table: str, after: int, stop: int, size: int) -> list[tuple[Any, ...]]:
        sql = (
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {events_table} "
            f"WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT {int(size)}"
        )
        return self.tuples(sql, [after, stop], binary=True)  # the states as their bytes

    def lock_writers(self, cursor: Any) -> None:
        # The same lock every event insert takes; reads go on meanwhile.
        cursor.execute(f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE".encode())

    def tidy(self, tables: Sequence[str]) -> None:
        with self.datastore.get_connection() as conn:
            was = conn.autocommit  # given back to the pool as it was lent
            conn.autocommit = True  # VACUUM cannot run inside a transaction
            try:
                for table in tables:
                    conn.execute(f"VACUUM (ANALYZE) {table}".encode())
            finally:
                conn.autocommit = was
