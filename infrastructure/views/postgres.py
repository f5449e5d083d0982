"""The status view in PostgreSQL, in the same database and pool as the event store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row

from infrastructure.projection import END_OF_SYSTEM_TIME
from infrastructure.views.base import LIVE, SHADOW, StatusView


class PostgresStatusView(StatusView):
    """Native date and timestamptz columns; bodies kept as canonical JSON text."""

    end_literal = "'9999-12-31 23:59:59.999999+00'"
    server_process = True
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {facts} (position bigint PRIMARY KEY, fact_id uuid NOT NULL UNIQUE, "
        "relation_id uuid NOT NULL, relation_version integer NOT NULL, actor text NOT NULL, "
        "subject text NOT NULL, type text NOT NULL, effective_start date NOT NULL, "
        "recorded_at timestamptz NOT NULL, recorded_by text NOT NULL, target uuid, body text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {facts}_relation ON {facts} (relation_id, position)",
        "CREATE INDEX IF NOT EXISTS {facts}_subject ON {facts} (subject, position)",
        "CREATE INDEX IF NOT EXISTS {facts}_actor ON {facts} (actor, position)",
        "CREATE INDEX IF NOT EXISTS {facts}_target ON {facts} (target) WHERE target IS NOT NULL",
        "CREATE TABLE IF NOT EXISTS {status} (relation_id uuid NOT NULL, actor text NOT NULL, "
        "subject text NOT NULL, valid_from date NOT NULL, valid_to date NOT NULL, "
        "sys_from timestamptz NOT NULL, sys_to timestamptz NOT NULL, recognised boolean NOT NULL, "
        "form text, rec_since date, level text NOT NULL, status text NOT NULL, "
        "PRIMARY KEY (relation_id, valid_from, sys_from))",
        "CREATE INDEX IF NOT EXISTS {status}_subject ON {status} (subject, valid_from, sys_to)",
        "CREATE INDEX IF NOT EXISTS {status}_actor ON {status} (actor, valid_from, sys_to)",
        # Closes and timelines are found by the primary key (relation_id, valid_from, sys_from);
        # an index on (relation_id, sys_to) only cost every write its upkeep.
        "DROP INDEX IF EXISTS {status}_open",
        # Recognitions read only recognised rows; most questions are about the latest knowledge.
        "CREATE INDEX IF NOT EXISTS {status}_recognised ON {status} (subject, recognised, sys_to, valid_from)",
        # Who recognises now: the open recognised rows only, answered from the index alone.
        # Ordered by valid_to: a recent date (the usual question) reads only the intervals
        # that reach it, not every earlier one.
        "DROP INDEX IF EXISTS {status}_now_recognised",  # the earlier layout, by valid_from
        "CREATE INDEX IF NOT EXISTS {status}_recognised_until ON {status} (subject, valid_to) "
        "INCLUDE (valid_from, actor, form, rec_since) "
        "WHERE recognised AND sys_to = " + end_literal,
        "CREATE TABLE IF NOT EXISTS {subjects} (slug text PRIMARY KEY, body text NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {actors} (code text PRIMARY KEY, body text NOT NULL)",
        "CREATE TABLE IF NOT EXISTS ledger_requests (principal text NOT NULL, key text NOT NULL, "
        "hash text NOT NULL, response text NOT NULL, created_at text NOT NULL, PRIMARY KEY (principal, key))",
    )

    # Many rows in one statement, as arrays: fewer messages than executemany, and it works
    # inside the pipeline the event recorder runs in (COPY does not).
    bulk_facts = (
        "INSERT INTO {facts} (position, fact_id, relation_id, relation_version, actor, subject, "
        "type, effective_start, recorded_at, recorded_by, target, body) "
        "SELECT * FROM unnest(%b::bigint[], %b::uuid[], %b::uuid[], %b::integer[], %b::text[], %b::text[], "
        "%b::text[], %b::date[], %b::timestamptz[], %b::text[], %b::uuid[], %b::text[])"
    )
    bulk_status = (
        "INSERT INTO {status} (relation_id, actor, subject, valid_from, valid_to, sys_from, "
        "sys_to, recognised, form, rec_since, level, status) "
        "SELECT * FROM unnest(%b::uuid[], %b::text[], %b::text[], %b::date[], %b::date[], %b::timestamptz[], "
        "%b::timestamptz[], %b::boolean[], %b::text[], %b::date[], %b::text[], %b::text[])"
    )
    bulk_close = (
        "UPDATE {status} AS s SET sys_to = c.at "
        "FROM unnest(%b::uuid[], %b::date[], %b::timestamptz[]) AS c (relation_id, valid_from, at) "
        "WHERE s.relation_id = c.relation_id AND s.valid_from = c.valid_from AND s.sys_to = %s"
    )

    def __init__(self, datastore: PostgresDatastore, events_table: str) -> None:
        self.datastore = datastore
        self.events_table = events_table

    def tidy(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.autocommit = True  # VACUUM cannot run inside a transaction
            try:
                for table in LIVE.values():
                    conn.execute(f"VACUUM (ANALYZE) {table}".encode())
            finally:
                conn.autocommit = False

    def _execute(self, cursor: Any, sql: str) -> None:
        cursor.execute(sql.encode())

    def _copy(self, cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN".encode()) as copy:
            for row in rows:
                copy.write_row(row)

    def _sql(self, statement: str, tables: dict[str, str] = LIVE) -> str:
        return statement.format(**tables).replace("?", "%s")

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql.encode(), list(params), prepare=True)
            return [dict(r) for r in curs.fetchall()]

    def _tuples(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(sql.encode(), list(params), prepare=True)
            return curs.fetchall()

    # A single write has a row or three: plain statements, whose parameters psycopg dumps much
    # faster than it dumps twelve one-element arrays.
    FEW = 4

    def _insert_facts(self, cursor: Any, tables: dict[str, str], params: list[tuple[Any, ...]]) -> None:
        if len(params) <= self.FEW:
            super()._insert_facts(cursor, tables, params)
            return
        cursor.execute(self.bulk_facts.format(**tables).encode(), [list(c) for c in zip(*params, strict=True)])

    def _insert_rows(self, cursor: Any, tables: dict[str, str], params: list[tuple[Any, ...]]) -> None:
        if len(params) <= self.FEW:
            super()._insert_rows(cursor, tables, params)
            return
        cursor.execute(self.bulk_status.format(**tables).encode(), [list(c) for c in zip(*params, strict=True)])

    def _close_rows(self, cursor: Any, tables: dict[str, str], closes: list[tuple[UUID, date, datetime]]) -> None:
        if len(closes) <= self.FEW:
            super()._close_rows(cursor, tables, closes)
            return
        ids, days, times = (list(c) for c in zip(*closes, strict=True))
        cursor.execute(self.bulk_close.format(**tables).encode(), [ids, days, times, END_OF_SYSTEM_TIME])

    def _day(self, value: date) -> date:
        return value

    def _time(self, value: datetime) -> datetime:
        return value

    @contextmanager
    def writing(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as curs:
            yield curs

    def lock_writers(self, cursor: Any) -> None:
        # The same lock every event insert takes; reads go on meanwhile.
        cursor.execute(f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE".encode())

    def swap_in(self, cursor: Any) -> None:
        for name, live in LIVE.items():
            cursor.execute(f"DROP TABLE IF EXISTS {live}".encode())
            cursor.execute(f"ALTER TABLE {SHADOW[name]} RENAME TO {live}".encode())
        cursor.execute(
            b"SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            b"AND indexname LIKE 'ledger%%rebuild%%'"
        )
        for row in cursor.fetchall():
            old = row["indexname"]
            cursor.execute(f"ALTER INDEX {old} RENAME TO {old.replace('_rebuild', '')}".encode())

    def drop_shadow(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for table in SHADOW.values():
                curs.execute(f"DROP TABLE IF EXISTS {table}".encode())
