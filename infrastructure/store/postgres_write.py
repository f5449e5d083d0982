"""A write on PostgreSQL in one round trip: a PL/pgSQL function takes the events and the view rows.

One statement, sent in autocommit mode, locks the events table, numbers the facts, writes the
events, every view row, the log's leaves and the kept answer, and commits: the same rows in the same commit
order as a transaction of many statements, in one message each way. Rows travel as one JSON
document each, which PostgreSQL unpacks with `json_to_recordset`.

A write from a copy of an aggregate that another process has moved on from writes nothing and
answers with the stored events the copy lacks (Overtaken): the writer catches up with them and
tries again, without a round trip to load the aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from eventsourcing.persistence import IntegrityError, StoredEvent

from infrastructure.encoding.canonical import canonical
from infrastructure.errors import Overtaken
from infrastructure.log.tables import LEAVES
from infrastructure.store.idempotency import REQUESTS, KeptAnswer
from infrastructure.view.changes import ViewChanges
from infrastructure.view.tables import FACT_COLUMNS, FACTS, LIVE, STATUS, STATUS_COLUMNS

# Renamed whenever its arguments or answer change (PostgreSQL cannot change a function's result
# type in place); store/migrations.py drops the earlier ones.
FUNCTION = "ledger_append"
CALL = f"SELECT * FROM {FUNCTION}(%s::json, %s::json, %s::json, %s::json, %s::json, %s::json, %s::json, %s::json)"

_FACT_KEYS = ("i", *FACT_COLUMNS[1:])
_REQUEST_KEYS = (*REQUESTS.column_names[:-1], "positioned")


def _record_type(columns: Sequence[tuple[str, str, str]]) -> str:
    return ", ".join(f"{name} {kind}" for name, kind, _ in columns)


def create_function_sql(events_table: str, channel: str, lock_timeout: int, end_literal: str) -> str:
    """The function, for the live tables; `events_table` is schema-qualified and quoted."""
    facts, status, subjects, actors = (LIVE[k] for k in ("facts", "status", "subjects", "actors"))
    timeout = f"PERFORM set_config('lock_timeout', '{lock_timeout}s', true);" if lock_timeout else ""
    fact_columns = ", ".join(FACT_COLUMNS)
    status_columns = ", ".join(STATUS_COLUMNS)
    request_columns = ", ".join(REQUESTS.column_names)
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(p_events json, p_facts json, p_closes json, p_rows json,
                                      p_subjects json, p_actors json, p_request json, p_leaves json)
RETURNS TABLE (event_id bigint, first_position bigint, originator_id uuid, originator_version bigint,
               topic text, state bytea) LANGUAGE plpgsql AS $body$
DECLARE
    first bigint;
    log_first bigint;
    written bigint;
BEGIN
    {timeout}
    LOCK TABLE {events_table} IN EXCLUSIVE MODE;
    SELECT COALESCE(MAX(f.position), 0) + 1 INTO first FROM {facts} AS f;
    RETURN QUERY
        INSERT INTO {events_table} AS t (originator_id, originator_version, topic, state)
        SELECT e.originator_id, e.originator_version, e.topic, decode(e.state, 'hex')
        FROM json_to_recordset(p_events) AS e(originator_id uuid, originator_version bigint, topic text, state text)
        ON CONFLICT DO NOTHING
        RETURNING t.notification_id, first, NULL::uuid, NULL::bigint, NULL::text, NULL::bytea;
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written < json_array_length(p_events) THEN
        IF written > 0 THEN  -- some versions stored, not all: refused as the unique key would
            RAISE unique_violation USING MESSAGE = 'some of the events'' versions are already stored';
        END IF;
        -- Written from an overtaken copy: nothing is written, and the answer is the stored
        -- events of the (first) aggregate from the first version the write would have taken.
        RETURN QUERY
            SELECT NULL::bigint, NULL::bigint, t.originator_id, t.originator_version, t.topic, t.state
            FROM {events_table} AS t
            WHERE t.originator_id = (p_events->0->>'originator_id')::uuid
              AND t.originator_version >= (p_events->0->>'originator_version')::bigint
            ORDER BY t.originator_version;
        RETURN;
    END IF;
    NOTIFY "{channel}";
    INSERT INTO {facts} ({fact_columns})
        SELECT first + r.i, {", ".join("r." + c for c in FACT_COLUMNS[1:])}
        FROM json_to_recordset(p_facts) AS r(i integer, {_record_type(FACTS.columns[1:])});
    UPDATE {status} AS s SET sys_to = c.at
        FROM json_to_recordset(p_closes) AS c(relation_id uuid, valid_from date, at timestamptz)
        WHERE s.relation_id = c.relation_id AND s.valid_from = c.valid_from AND s.sys_to = {end_literal};
    INSERT INTO {status} ({status_columns})
        SELECT {status_columns} FROM json_to_recordset(p_rows) AS r({_record_type(STATUS.columns)});
    INSERT INTO {subjects} (slug, body)
        SELECT s.slug, s.body FROM json_to_recordset(p_subjects) AS s(slug text, body text)
        ON CONFLICT (slug) DO UPDATE SET body = excluded.body;
    SELECT COALESCE(MAX(l.log_index), -1) + 1 INTO log_first FROM {LEAVES.name} AS l;
    INSERT INTO {LEAVES.name} (log_index, leaf_hash, fact_id)
        SELECT log_first + l.i, decode(l.h, 'hex'), l.f
        FROM json_to_recordset(p_leaves) AS l(i integer, h text, f uuid);
    INSERT INTO {actors} (code, body) SELECT a.code, a.body FROM json_to_recordset(p_actors) AS a(code text, body text);
    IF p_request IS NOT NULL THEN
        INSERT INTO {REQUESTS.name} ({request_columns})
            SELECT {", ".join("q." + c for c in REQUESTS.column_names[:-1])}, CASE WHEN q.positioned THEN first END
            FROM json_to_record(p_request) AS q({_record_type(REQUESTS.columns[:-1])}, positioned boolean);
    END IF;
END
$body$
"""


def call_args(stored_events: Sequence[StoredEvent], changes: ViewChanges, kept: KeptAnswer | None) -> list[str | None]:
    """The function's eight JSON arguments. `changes` must be prepared (RowWriter.prepare)."""
    assert changes.fact_params is not None and changes.status_params is not None
    events = [
        {
            "originator_id": e.originator_id,
            "originator_version": e.originator_version,
            "topic": e.topic,
            "state": e.state.hex(),
        }
        for e in stored_events
    ]
    facts = [dict(zip(_FACT_KEYS, (i, *fixed), strict=True)) for i, fixed in enumerate(changes.fact_params)]
    closes = [{"relation_id": rid, "valid_from": day, "at": at} for rid, day, at in changes.closes]
    rows = [dict(zip(STATUS_COLUMNS, row, strict=True)) for row in changes.status_params]
    subjects = [{"slug": b["id"], "body": canonical(b)} for b in changes.subjects]
    actors = [{"code": b["code"], "body": canonical(b)} for b in changes.actors]
    request = None
    if kept is not None:
        request = _json(dict(zip(_REQUEST_KEYS, (*kept.row(None)[:-1], kept.positioned), strict=True)))
    leaves = [{"i": i, "h": leaf.hash.hex(), "f": leaf.fact_id} for i, leaf in enumerate(changes.leaves)]
    return [
        _json(events),
        _json(facts),
        _json(closes),
        _json(rows),
        _json(subjects),
        _json(actors),
        request,
        _json(leaves),
    ]


def settle(changes: ViewChanges, results: Sequence[tuple[Any, ...]]) -> list[int]:
    """The events' notification ids, with the facts' positions put into `changes`; Overtaken if
    nothing was written because the events' versions are already stored."""
    if not results:  # a conflict on another aggregate than the first
        raise IntegrityError("the events' versions are already stored")
    if results[0][0] is None:
        raise Overtaken([StoredEvent(r[2], r[3], r[4], bytes(r[5])) for r in results])
    first = int(results[0][1])
    changes.positions = list(range(first, first + len(changes.facts)))
    return [int(r[0]) for r in results]


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
