"""Writing a change's rows into the view's tables, in the transaction of the events that cause them."""

from __future__ import annotations

from typing import Any

from infrastructure.encoding.answers import audit_body
from infrastructure.encoding.canonical import canonical
from infrastructure.sql.dialect import Dialect
from infrastructure.view.changes import FactRow, StatusRow, ViewChanges
from infrastructure.view.tables import FACT_COLUMNS, LIVE, MAX_POSITION, STATUS_COLUMNS


class RowWriter:
    """Appends facts and status rows the backend's bulk way (COPY, or many rows per statement),
    closes rows, and writes catalogue bodies: every write on SQLite, and bulk loads and
    rebuilds on PostgreSQL (whose single writes go in one statement, see store/postgres_write)."""

    upsert_subject = (
        "INSERT INTO {subjects} (slug, body) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET body = excluded.body"
    )
    insert_actor = "INSERT INTO {actors} (code, body) VALUES (?, ?)"

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def prepare(self, changes: ViewChanges) -> None:
        """Build the rows' parameters now, before any transaction: inside one, the time spent
        here would leave it idle (the server ends sessions idle in a transaction). Only the
        positions are left to give, under the events table's lock."""
        if changes.fact_params is None:
            changes.fact_params = [self.fact_params(row) for row in changes.facts]
        if changes.status_params is None:
            changes.status_params = [self.status_params(row) for row in changes.inserts]

    def write(self, cursor: Any, changes: ViewChanges, tables: dict[str, str] = LIVE) -> None:
        """Write every row; facts without positions take the next ones."""
        self.prepare(changes)
        dialect = self.dialect
        if changes.facts:
            if not changes.positions:
                dialect.execute(cursor, dialect.sql(MAX_POSITION, tables))
                first = _first_number(cursor.fetchone()) + 1
                changes.positions = list(range(first, first + len(changes.facts)))
            params = changes.fact_params or []
            rows = [(p, *fixed) for p, fixed in zip(changes.positions, params, strict=True)]
            dialect.copy(cursor, tables["facts"], FACT_COLUMNS, rows)
        dialect.close_rows(cursor, tables["status"], changes.closes)
        dialect.copy(cursor, tables["status"], STATUS_COLUMNS, changes.status_params or [])
        if changes.subjects:
            sql = dialect.sql(self.upsert_subject, tables)
            dialect.executemany(cursor, sql, [(b["id"], canonical(b)) for b in changes.subjects])
        if changes.actors:
            sql = dialect.sql(self.insert_actor, tables)
            dialect.executemany(cursor, sql, [(b["code"], canonical(b)) for b in changes.actors])

    def fact_params(self, row: FactRow) -> tuple[Any, ...]:
        """A fact's columns but its position, in FACT_COLUMNS order."""
        f = row.fact
        d = self.dialect
        return (
            str(f.fact_id),
            str(row.relation_id),
            row.relation_version,
            f.actor,
            f.subject,
            f.type.value,
            d.day(f.effective_on.start),
            d.time(f.recorded_at),
            f.recorded_by,
            str(f.target) if f.target else None,
            canonical(audit_body(f, row.relation_version)),
        )

    def status_params(self, r: StatusRow) -> tuple[Any, ...]:
        """A status row's columns, in STATUS_COLUMNS order."""
        d = self.dialect
        return (
            str(r.relation_id),
            r.actor,
            r.subject,
            d.day(r.valid_from),
            d.day(r.valid_to),
            d.time(r.sys_from),
            d.time(r.sys_to),
            r.recognised,
            r.form,
            d.day(r.rec_since) if r.rec_since else None,
            str(r.rec_fact) if r.rec_fact else None,
            r.rec_precision,
            r.rec_approximate,
            r.rec_disputed,
            r.level,
            r.status,
        )


def _first_number(row: Any) -> int:
    return int(row["n"] if not isinstance(row, tuple) else row[0])
