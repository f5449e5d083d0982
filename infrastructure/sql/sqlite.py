"""The SQLite dialect: dates and times as ISO text, which sorts like the values it stands for."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore

from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.sql.dialect import Dialect
from infrastructure.sql.table import Index

TYPES = {
    "uuid": "TEXT",
    "bigint": "INTEGER",  # `INTEGER PRIMARY KEY` is the rowid itself
    "integer": "INTEGER",
    "text": "TEXT",
    "date": "TEXT",
    "timestamptz": "TEXT",
    "boolean": "INTEGER",
    "bytea": "BLOB",
}


class SQLiteDialect(Dialect):
    """The embedded database, in the event store's own file."""

    end_literal = "'9999-12-31T23:59:59.999999Z'"
    server_process = False
    types: ClassVar[dict[str, str]] = TYPES

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    @property
    def shared(self) -> bool:
        return not self.datastore.pool.is_sqlite_memory_mode

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        # Processes that open one file together (`ledger serve --workers N`) take turns, as on
        # PostgreSQL: a lock on a file beside the database's. A database in memory is this process's.
        if not self.shared:
            yield
            return
        name = self.datastore.pool.db_name.removeprefix("file:").split("?", 1)[0]
        with open(f"{name}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def create_index_sql(self, index: Index, table: str) -> str:
        key = (*index.key, *index.covering, *(index.where_columns if index.covering else ()))
        where = f" WHERE {index.where.replace('END', self.end_literal)}" if index.where else ""
        return f"CREATE INDEX IF NOT EXISTS {table}_{index.suffix} ON {table} ({', '.join(key)}){where}"

    def rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, [_param(p) for p in params])
            return [dict(row) for row in c.fetchall()]

    def tuples(self, sql: str, params: Sequence[Any], *, binary: bool = False) -> list[tuple[Any, ...]]:
        with self.datastore.transaction(commit=False) as c:  # SQLite's results are binary already
            c.execute(sql, [_param(p) for p in params])
            return [tuple(row) for row in c.fetchall()]

    @contextmanager
    def writing(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as c:
            yield c

    def execute(self, cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
        cursor.execute(sql, [_param(p) for p in params])

    def executemany(self, cursor: Any, sql: str, params: Sequence[Sequence[Any]]) -> None:
        cursor.executemany(sql, params)

    def copy(self, cursor: Any, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def close_rows(self, cursor: Any, table: str, closes: Sequence[tuple[UUID, date, datetime]]) -> None:
        if closes:
            end = self.end_literal
            cursor.executemany(
                f"UPDATE {table} SET sys_to = ? WHERE relation_id = ? AND valid_from = ? AND sys_to = {end}",
                [(self.time(at), str(rid), self.day(vf)) for rid, vf, at in closes],
            )

    def day(self, value: date) -> str:
        return value.isoformat()

    def time(self, value: datetime) -> str:
        return rfc3339(value)

    def column_names(self, cursor: Any, table: str) -> set[str]:
        cursor.execute(f"PRAGMA table_info({table})")
        return {row[1] for row in cursor.fetchall()}

    def index_names(self, cursor: Any, like: str) -> list[str]:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE ?", [like])
        return [row[0] for row in cursor.fetchall()]

    def rename_index(self, cursor: Any, old: str, new: str) -> bool:
        return False  # SQLite has no ALTER INDEX

    def notification_id(self, events_table: str, originator_id: UUID, version: int) -> int | None:
        # The library keeps ids as hex text, and numbers events by their rowid.
        sql = f"SELECT rowid FROM {events_table} WHERE originator_id = ? AND originator_version = ?"
        rows = self.tuples(sql, [originator_id.hex, version])
        return int(rows[0][0]) if rows else None

    def event_rows(self, events_table: str, after: int, stop: int, size: int) -> list[tuple[Any, ...]]:
        sql = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {events_table} "
            f"WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT {int(size)}"
        )
        return self.tuples(sql, [after, stop])

    def lock_writers(self, cursor: Any) -> None:
        # A write takes SQLite's one write lock, held until this transaction ends.
        cursor.execute("CREATE TABLE IF NOT EXISTS ledger_rebuild_lock (at TEXT)")
        cursor.execute("INSERT INTO ledger_rebuild_lock VALUES (datetime('now'))")
        cursor.execute("DROP TABLE ledger_rebuild_lock")

    def tidy(self, tables: Sequence[str]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("ANALYZE")


def _param(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value
