"""The status view in the embedded SQLite database, beside the event store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from eventsourcing.sqlite import SQLiteDatastore

from infrastructure.view.base import LIVE, SHADOW, StatusView


class SQLiteStatusView(StatusView):
    """Dates and times are ISO text, which sorts like the values it stands for."""

    end_literal = "'9999-12-31T23:59:59.999999Z'"
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {facts} (position INTEGER PRIMARY KEY, fact_id TEXT NOT NULL UNIQUE, "
        "relation_id TEXT NOT NULL, relation_version INTEGER NOT NULL, actor TEXT NOT NULL, "
        "subject TEXT NOT NULL, type TEXT NOT NULL, effective_start TEXT NOT NULL, "
        "recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, target TEXT, body TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {facts}_relation ON {facts} (relation_id, position)",
        "CREATE INDEX IF NOT EXISTS {facts}_subject ON {facts} (subject, position)",
        "CREATE INDEX IF NOT EXISTS {facts}_actor ON {facts} (actor, position)",
        "CREATE INDEX IF NOT EXISTS {facts}_target ON {facts} (target) WHERE target IS NOT NULL",
        "CREATE TABLE IF NOT EXISTS {status} (relation_id TEXT NOT NULL, actor TEXT NOT NULL, "
        "subject TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, "
        "sys_from TEXT NOT NULL, sys_to TEXT NOT NULL, recognised INTEGER NOT NULL, form TEXT, "
        "rec_since TEXT, level TEXT NOT NULL, status TEXT NOT NULL, "
        "PRIMARY KEY (relation_id, valid_from, sys_from))",
        "CREATE INDEX IF NOT EXISTS {status}_subject ON {status} (subject, valid_from, sys_to)",
        "CREATE INDEX IF NOT EXISTS {status}_actor ON {status} (actor, valid_from, sys_to)",
        # Closes and timelines are found by the primary key (relation_id, valid_from, sys_from);
        # an index on (relation_id, sys_to) only cost every write its upkeep.
        "DROP INDEX IF EXISTS {status}_open",
        # Recognitions read only recognised rows; most questions are about the latest knowledge.
        "CREATE INDEX IF NOT EXISTS {status}_recognised ON {status} (subject, recognised, sys_to, valid_from)",
        # Who recognises now: the open recognised rows only, answered from the index alone
        # (SQLite wants the predicate's columns in it too), ordered by valid_to so a recent
        # date reads only the intervals that reach it.
        "DROP INDEX IF EXISTS {status}_now_recognised",  # the earlier layout, by valid_from
        "CREATE INDEX IF NOT EXISTS {status}_recognised_until ON {status} "
        "(subject, valid_to, valid_from, actor, form, rec_since, recognised, sys_to) "
        "WHERE recognised AND sys_to = " + end_literal,
        "CREATE TABLE IF NOT EXISTS {subjects} (slug TEXT PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {actors} (code TEXT PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS ledger_requests (principal TEXT NOT NULL, key TEXT NOT NULL, "
        "hash TEXT NOT NULL, response TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (principal, key))",
    )

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    def tidy(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("ANALYZE")

    def _execute(self, cursor: Any, sql: str) -> None:
        cursor.execute(sql)

    def _sql(self, statement: str, tables: dict[str, str] = LIVE) -> str:
        return statement.format(**tables)

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, [_param(p) for p in params])
            return [dict(row) for row in c.fetchall()]

    def _tuples(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, [_param(p) for p in params])
            return [tuple(row) for row in c.fetchall()]

    def _day(self, value: date) -> str:
        return value.isoformat()

    def _time(self, value: datetime) -> str:
        return _utc_text(value)

    @contextmanager
    def writing(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as c:
            yield c

    def lock_writers(self, cursor: Any) -> None:
        # A write takes SQLite's one write lock, held until this transaction ends.
        cursor.execute("CREATE TABLE IF NOT EXISTS ledger_rebuild_lock (at TEXT)")
        cursor.execute("INSERT INTO ledger_rebuild_lock VALUES (datetime('now'))")
        cursor.execute("DROP TABLE ledger_rebuild_lock")

    def swap_in(self, cursor: Any) -> None:
        for name, live in LIVE.items():
            cursor.execute(f"DROP TABLE IF EXISTS {live}")
            cursor.execute(f"ALTER TABLE {SHADOW[name]} RENAME TO {live}")
        # Index names keep the shadow prefix after a rename; recreate under live names.
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' "
            "AND name LIKE 'ledger%rebuild%' AND name NOT LIKE 'sqlite_%'"
        )
        for row in cursor.fetchall():
            cursor.execute(f"DROP INDEX {row[0]}")
        for statement in self.create_statements:
            cursor.execute(statement.format(**LIVE))

    def drop_shadow(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in SHADOW.values():
                c.execute(f"DROP TABLE IF EXISTS {table}")


def _param(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


@lru_cache(maxsize=8192)
def _utc_text(value: datetime) -> str:
    """A system time as sortable UTC text. Kept: each is written several times (fact, rows, closes)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
