"""What both backends' views share: the queries, and how rows are written."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson

from infrastructure.encoding.transcodings import audit_body
from infrastructure.view.rows import LATEST, StatusRow, ViewChanges, canonical

LIVE = {"facts": "ledger_facts", "status": "ledger_status", "subjects": "ledger_subjects", "actors": "ledger_actors"}
SHADOW = {k: v + "_rebuild" for k, v in LIVE.items()}

FACT_COLUMNS = (
    "position",
    "fact_id",
    "relation_id",
    "relation_version",
    "actor",
    "subject",
    "type",
    "effective_start",
    "recorded_at",
    "recorded_by",
    "target",
    "body",
)
STATUS_COLUMNS = (
    "relation_id",
    "actor",
    "subject",
    "valid_from",
    "valid_to",
    "sys_from",
    "sys_to",
    "recognised",
    "form",
    "rec_since",
    "level",
    "status",
)


def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


AUDIT_FILTERS = {
    "actor": "actor = ?",
    "subject": "subject = ?",
    "type": "type = ?",
    "recorded_by": "recorded_by = ?",
    "effective_from": "effective_start >= ?",
    "effective_to": "effective_start <= ?",
    "recorded_from": "recorded_at >= ?",
    "recorded_to": "recorded_at <= ?",
}


class StatusView(ABC):
    """Answers every status question with index lookups on the bitemporal rows."""

    select_recognitions = (
        "SELECT actor, form, rec_since FROM {status} WHERE subject = ? AND recognised = ? "
        "AND valid_from <= ? AND valid_to > ? AND sys_from <= ? AND sys_to > ? "
        "ORDER BY rec_since, actor"
    )
    # The latest knowledge only: served by a partial index of the open recognised rows.
    # Its predicate is written as in the index (literals, not parameters), so that planners
    # can prove the index applies; END is the backend's literal for END_OF_SYSTEM_TIME.
    select_latest_recognitions = (
        "SELECT actor, form, rec_since FROM {status} WHERE subject = ? AND recognised "
        "AND sys_to = END AND valid_from <= ? AND valid_to > ? ORDER BY rec_since, actor"
    )
    end_literal = ""
    # Whether the database does a write's work in a process of its own (a server), so that a
    # bulk writer can fold its next batch while one commits; an embedded one works in this one.
    server_process = False
    select_subject_status = (
        "SELECT actor, status FROM {status} WHERE subject = ? "
        "AND valid_from <= ? AND valid_to > ? AND sys_from <= ? AND sys_to > ? ORDER BY actor"
    )
    select_actor_status = (
        "SELECT subject, status FROM {status} WHERE actor = ? "
        "AND valid_from <= ? AND valid_to > ? AND sys_from <= ? AND sys_to > ? ORDER BY subject"
    )
    select_timeline = (
        "SELECT valid_from, valid_to, status FROM {status} WHERE relation_id = ? "
        "AND sys_from <= ? AND sys_to > ? ORDER BY valid_from"
    )
    select_recognised_spans = (
        "SELECT actor, valid_from, valid_to FROM {status} WHERE subject = ? AND recognised = ? "
        "AND sys_from <= ? AND sys_to > ?"
    )
    select_fact = "SELECT body FROM {facts} WHERE fact_id = ?"
    select_corrections = "SELECT body FROM {facts} WHERE target = ? ORDER BY position"
    select_relation_facts = "SELECT body FROM {facts} WHERE relation_id = ? AND recorded_at <= ? ORDER BY position"
    select_max_position = "SELECT COALESCE(MAX(position), 0) AS n FROM {facts}"
    select_subjects = "SELECT body FROM {subjects} ORDER BY slug"
    select_subject = "SELECT body FROM {subjects} WHERE slug = ?"
    select_subject_slugs = "SELECT slug FROM {subjects}"
    select_actors = "SELECT body FROM {actors} ORDER BY code"
    select_all_status = "SELECT * FROM {status} ORDER BY relation_id, valid_from, sys_from"
    insert_fact = insert_sql("{facts}", FACT_COLUMNS)
    close_status = "UPDATE {status} SET sys_to = ? WHERE relation_id = ? AND valid_from = ? AND sys_to = ?"
    insert_status = insert_sql("{status}", STATUS_COLUMNS)
    upsert_subject = (
        "INSERT INTO {subjects} (slug, body) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET body = excluded.body"
    )
    insert_actor = "INSERT INTO {actors} (code, body) VALUES (?, ?)"
    # Idempotency keys are not a projection of events: kept apart from rebuilds.
    select_request = "SELECT hash, response FROM ledger_requests WHERE principal = ? AND key = ?"
    insert_request = "INSERT INTO ledger_requests (principal, key, hash, response, created_at) VALUES (?, ?, ?, ?, ?)"

    # --- backend plumbing ---------------------------------------------------

    create_statements: tuple[str, ...] = ()

    def create_tables(self, tables: dict[str, str] = LIVE, *, indexes: bool = True) -> None:
        """Create the view's tables, and unless told not to their indexes, if missing."""
        with self.writing() as cursor:
            for statement in self.create_statements:
                if indexes or not statement.startswith("CREATE INDEX"):
                    self._execute(cursor, statement.format(**tables))

    def create_indexes(self, tables: dict[str, str] = LIVE) -> None:
        """Create the secondary indexes: after a bulk load, faster than keeping them up all along."""
        with self.writing() as cursor:
            for statement in self.create_statements:
                if statement.startswith("CREATE INDEX"):
                    self._execute(cursor, statement.format(**tables))

    def drop_indexes(self, tables: dict[str, str] = LIVE) -> None:
        """Drop the secondary indexes (not the keys): a bulk load into empty tables, then
        create_indexes(), is faster than keeping them up row by row. Starting the ledger
        creates any that are missing, so an interrupted load leaves nothing broken."""
        with self.writing() as cursor:
            for statement in self.create_statements:
                if statement.startswith("CREATE INDEX IF NOT EXISTS "):
                    name = statement.split()[5]
                    self._execute(cursor, f"DROP INDEX IF EXISTS {name}".format(**tables))

    @abstractmethod
    def tidy(self) -> None:
        """After a bulk load: refresh the planner's statistics and clear dead row versions."""

    @abstractmethod
    def _execute(self, cursor: Any, sql: str) -> None:
        """Run one statement without parameters."""

    @abstractmethod
    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """Run a read statement and return its rows as dicts."""

    @abstractmethod
    def _tuples(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run a read statement and return its rows as tuples (no dict per row: hot reads)."""

    @abstractmethod
    def _sql(self, statement: str, tables: dict[str, str] = LIVE) -> str:
        """Put table names and the backend's placeholders into a statement."""

    @abstractmethod
    def _day(self, value: date) -> Any:
        """Adapt a date for this backend."""

    @abstractmethod
    def _time(self, value: datetime) -> Any:
        """Adapt a system time for this backend."""

    @abstractmethod
    def writing(self) -> AbstractContextManager[Any]:
        """A cursor in a write transaction (used by rebuild)."""

    @abstractmethod
    def lock_writers(self, cursor: Any) -> None:
        """Inside a write transaction: keep new events from committing until it ends."""

    @abstractmethod
    def drop_shadow(self) -> None:
        """Drop tables left by an unfinished rebuild."""

    @abstractmethod
    def swap_in(self, cursor: Any) -> None:
        """Replace the live tables by the rebuilt ones, inside the given transaction."""

    # --- writes ---------------------------------------------------------------

    def next_position(self, cursor: Any, tables: dict[str, str] = LIVE) -> int:
        cursor.execute(self._sql(self.select_max_position, tables))
        return self._first_position(cursor)

    @staticmethod
    def _first_position(cursor: Any) -> int:
        row = cursor.fetchone()
        return int(row["n"] if not isinstance(row, tuple) else row[0]) + 1

    def max_position(self) -> int:
        return int(self._rows(self._sql(self.select_max_position), [])[0]["n"])

    def write(self, cursor: Any, changes: ViewChanges, tables: dict[str, str] = LIVE) -> None:
        """Write the rows; called inside the transaction that stores the events."""
        self.prepare(changes)
        if changes.facts:
            self._number(cursor, changes, tables)
            self._insert_facts(cursor, tables, self._filled(changes))
        if changes.closes:
            self._close_rows(cursor, tables, changes.closes)
        if changes.inserts:
            self._insert_rows(cursor, tables, changes.ready_rows or [])
        self._write_catalogue(cursor, changes, tables)
        if changes.request is not None:
            self.write_request(cursor, changes)

    # One statement per row; a backend may send many rows at once instead.

    def _insert_facts(self, cursor: Any, tables: dict[str, str], params: list[tuple[Any, ...]]) -> None:
        cursor.executemany(self._sql(self.insert_fact, tables), params)

    def _insert_rows(self, cursor: Any, tables: dict[str, str], params: list[tuple[Any, ...]]) -> None:
        cursor.executemany(self._sql(self.insert_status, tables), params)

    def _close_rows(self, cursor: Any, tables: dict[str, str], closes: list[tuple[UUID, date, datetime]]) -> None:
        end = self._time(_END)
        cursor.executemany(
            self._sql(self.close_status, tables),
            [(self._time(at), str(rid), self._day(vf), end) for rid, vf, at in closes],
        )

    def append(self, cursor: Any, changes: ViewChanges, tables: dict[str, str]) -> None:
        """Write facts and finished rows into tables that only grow (a rebuild): no closes."""
        assert not changes.closes, "append() never updates rows"
        self.load(cursor, changes, tables)

    def load(self, cursor: Any, changes: ViewChanges, tables: dict[str, str] = LIVE) -> None:
        """As write(), for a bulk load: new rows go in the backend's fastest way (COPY)."""
        self.prepare(changes)
        if changes.facts:
            if not changes.positions:  # a rebuild gives them; an import takes the next ones
                self._number(cursor, changes, tables)
            self._copy(cursor, tables["facts"], FACT_COLUMNS, self._filled(changes))
        if changes.closes:
            self._close_rows(cursor, tables, changes.closes)
        if changes.inserts:
            self._copy(cursor, tables["status"], STATUS_COLUMNS, changes.ready_rows or [])
        self._write_catalogue(cursor, changes, tables)

    def _number(self, cursor: Any, changes: ViewChanges, tables: dict[str, str]) -> None:
        """Give the facts the next positions, under the events table's lock."""
        first = self.next_position(cursor, tables)
        changes.positions = list(range(first, first + len(changes.facts)))

    def _write_catalogue(self, cursor: Any, changes: ViewChanges, tables: dict[str, str]) -> None:
        for body in changes.subjects:
            cursor.execute(self._sql(self.upsert_subject, tables), (body["id"], canonical(body)))
        for body in changes.actors:
            cursor.execute(self._sql(self.insert_actor, tables), (body["code"], canonical(body)))

    def _copy(self, cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Append many rows; a backend may have a faster way than one INSERT each."""
        cursor.executemany(self._sql(insert_sql(table, columns)), rows)

    def write_request(self, cursor: Any, changes: ViewChanges) -> None:
        """Keep the answer to an idempotent request, with the position it was given."""
        assert changes.request is not None
        principal, key, body_hash, answer = changes.request
        if positioned(answer, changes):
            answer = answer | {"position": changes.positions[0]}
        changes.response = answer
        cursor.execute(self._sql(self.insert_request), (principal, key, body_hash, canonical(answer), request_time()))

    def request(self, principal: str, key: str) -> dict[str, Any] | None:
        """The hash and answer of an earlier request with this key, if any."""
        rows = self._rows(self._sql(self.select_request), [principal, key])
        return {"hash": rows[0]["hash"], "response": _json(rows[0]["response"])} if rows else None

    def prepare(self, changes: ViewChanges) -> None:
        """Build the rows' parameters now, before any transaction: inside one, the time spent
        here would leave it idle (the server ends sessions idle in a transaction for 5 s).
        Only positions are left to fill in, under the lock."""
        if changes.ready_facts is None:
            changes.ready_facts = [self._fact_template(row) for row in changes.facts]
        if changes.ready_rows is None:
            changes.ready_rows = [self._status_params(r) for r in changes.inserts]

    @staticmethod
    def _filled(changes: ViewChanges) -> list[tuple[Any, ...]]:
        """The facts' parameters with their positions (in the row and in the body)."""
        return [
            (position, *fixed, head + str(position) + tail)
            for (fixed, head, tail), position in zip(changes.ready_facts or [], changes.positions, strict=True)
        ]

    def _fact_template(self, row: Any) -> tuple[tuple[Any, ...], str, str]:
        """The fact's parameters but its position, and its body split where the position goes."""
        f = row.fact
        body = audit_body(f, row.relation_version)
        head, tail = split_at_position(body)
        fixed = (
            str(f.fact_id),
            str(row.relation_id),
            row.relation_version,
            f.actor,
            f.subject,
            f.type.value,
            self._day(f.effective_on.start),
            self._time(f.recorded_at),
            f.recorded_by,
            str(f.target) if f.target else None,
        )
        return fixed, head, tail

    def _status_params(self, r: StatusRow) -> tuple[Any, ...]:
        return (
            str(r.relation_id),
            r.actor,
            r.subject,
            self._day(r.valid_from),
            self._day(r.valid_to),
            self._time(r.sys_from),
            self._time(r.sys_to),
            r.recognised,
            r.form,
            self._day(r.rec_since) if r.rec_since else None,
            r.level,
            r.status,
        )

    # --- reads ----------------------------------------------------------------

    def _at(self, at: date, recorded_at: datetime) -> list[Any]:
        d, s = self._day(at), self._time(recorded_at)
        return [d, d, s, s]

    def latest_recognitions_sql(self) -> str:
        """Who recognises on a date as the ledger holds it now: the end of system time is a
        literal, so the partial index on open rows can answer it (a parameter could not)."""
        return self._sql(self.select_latest_recognitions).replace("END", self.end_literal)

    def recognitions(self, subject: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        return recognised(self._tuples(*self.recognitions_query(subject, at, recorded_at)))

    def recognitions_query(self, subject: str, at: date, recorded_at: datetime) -> tuple[str, list[Any]]:
        """The statement and parameters of `recognitions`, for a reader that runs them itself."""
        if recorded_at >= LATEST:
            day = self._day(at)
            return self.latest_recognitions_sql(), [subject, day, day]
        return self._sql(self.select_recognitions), [subject, True, *self._at(at, recorded_at)]

    def subject_status(self, subject: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = self._rows(self._sql(self.select_subject_status), [subject, *self._at(at, recorded_at)])
        return [{"actor": r["actor"], **_json(r["status"])} for r in rows]

    def actor_status(self, actor: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = self._rows(self._sql(self.select_actor_status), [actor, *self._at(at, recorded_at)])
        return [{"subject": r["subject"], **_json(r["status"])} for r in rows]

    def timeline(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        s = self._time(recorded_at)
        rows = self._rows(self._sql(self.select_timeline), [relation_id, s, s])
        return [
            {"valid_from": _iso(r["valid_from"]), "valid_to": _open(r["valid_to"]), "status": _json(r["status"])}
            for r in rows
        ]

    def recognised_spans(self, subject: str, recorded_at: datetime) -> list[tuple[str, str, str | None]]:
        s = self._time(recorded_at)
        rows = self._rows(self._sql(self.select_recognised_spans), [subject, True, s, s])
        return [(r["actor"], str(_iso(r["valid_from"])), _open(r["valid_to"])) for r in rows]

    def fact(self, fact_id: str) -> dict[str, Any] | None:
        rows = self._rows(self._sql(self.select_fact), [fact_id])
        return _json(rows[0]["body"]) if rows else None

    def corrections_of(self, fact_id: str) -> list[dict[str, Any]]:
        return [_json(r["body"]) for r in self._rows(self._sql(self.select_corrections), [fact_id])]

    def relation_facts(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = self._rows(self._sql(self.select_relation_facts), [relation_id, self._time(recorded_at)])
        return [_json(r["body"]) for r in rows]

    def audit(self, filters: dict[str, Any], after: int, limit: int) -> list[dict[str, Any]]:
        clauses, params = ["position > ?"], [after]
        for name, value in filters.items():
            if value is None:
                continue
            clauses.append(AUDIT_FILTERS[name])
            if isinstance(value, datetime):
                value = self._time(value)
            elif isinstance(value, date):
                value = self._day(value)
            params.append(value)
        sql = f"SELECT body FROM {{facts}} WHERE {' AND '.join(clauses)} ORDER BY position LIMIT ?"
        return [_json(r["body"]) for r in self._rows(self._sql(sql), [*params, limit])]

    def subjects(self) -> list[dict[str, Any]]:
        return [_json(r["body"]) for r in self._rows(self._sql(self.select_subjects), [])]

    def subject_slugs(self) -> list[str]:
        return [r[0] for r in self._tuples(self._sql(self.select_subject_slugs), [])]

    def subject(self, slug: str) -> dict[str, Any] | None:
        rows = self._rows(self._sql(self.select_subject), [slug])
        return _json(rows[0]["body"]) if rows else None

    def actors(self) -> list[dict[str, Any]]:
        return [_json(r["body"]) for r in self._rows(self._sql(self.select_actors), [])]

    def all_status_rows(self, tables: dict[str, str] = LIVE) -> Iterator[tuple[Any, ...]]:
        """Every status row, in key order: for comparing a rebuilt view with the live one."""
        for r in self._rows(self._sql(self.select_all_status, tables), []):
            yield tuple(str(v) for v in r.values())


_POSITION_MARK = -987654321


def split_at_position(body: dict[str, Any]) -> tuple[str, str]:
    """The canonical JSON of `body` with its position left out: the text before the position's
    digits (ending in `"position":`) and after them, to be joined around the position once known."""
    # Quotes inside JSON strings are escaped, so the unescaped key occurs once.
    head, tail = canonical(body | {"position": _POSITION_MARK}).split(f'"position":{_POSITION_MARK}')
    return head + '"position":', tail


def positioned(answer: dict[str, Any], changes: ViewChanges) -> bool:
    """Whether a stored answer takes the position of the write's first fact."""
    return "position" in answer and bool(changes.facts)


def request_time() -> str:
    """When an idempotent request's answer was stored, as the requests table keeps it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_END = datetime.fromisoformat("9999-12-31T23:59:59.999999+00:00")


def _json(value: Any) -> Any:
    """A stored body (status, fact, subject) parsed; orjson reads them several times faster."""
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # beyond orjson (integers over 64 bits): the slow way
        return json.loads(value)


def recognised(rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows of (actor, form, since) as the API gives them."""
    return [{"actor": actor, "form": form, "since": _iso(since)} for actor, form, since in rows]


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _open(value: Any) -> str | None:
    text = _iso(value)
    return None if text == "9999-12-31" else text
