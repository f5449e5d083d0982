"""A write of facts in one round trip: a PL/pgSQL function does what the recorder's pipeline did.

The recorder's own way (the library's) takes five round trips and a commit: begin; lock,
notify and insert the events; the view's rows; commit; end the pipeline. Here one statement,
sent in autocommit mode, locks the events table, numbers the facts, writes the events and
every view row, and commits: the same rows, in the same order of commit, in one message each
way. Rows travel as one JSON document each, which PostgreSQL unpacks with `json_to_recordset`:
psycopg dumps a string in microseconds, where a dozen arrays took a millisecond of Python.

A write from a copy of a relation that another process has moved on from writes nothing and
answers with the stored events the copy lacks (Overtaken): the writer catches up with them and
tries again, without a round trip to load the relation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from eventsourcing.persistence import StoredEvent

from infrastructure.errors import Overtaken
from infrastructure.view.base import FACT_COLUMNS, LIVE, STATUS_COLUMNS, positioned, request_time, split_at_position
from infrastructure.view.rows import ViewChanges, canonical

# Renamed when its answer changed (PostgreSQL cannot change a function's result type in place, and
# server processes of one version may run beside another's while they start).
FUNCTION = "ledger_record_facts"

_FACT_KEYS = ("i", *FACT_COLUMNS[1:-1], "head", "tail")
_FACT_TYPES = (
    "i integer, fact_id uuid, relation_id uuid, relation_version integer, actor text, subject text, "
    "type text, effective_start date, recorded_at timestamptz, recorded_by text, target uuid, "
    "head text, tail text"
)
_STATUS_TYPES = (
    "relation_id uuid, actor text, subject text, valid_from date, valid_to date, sys_from timestamptz, "
    "sys_to timestamptz, recognised boolean, form text, rec_since date, level text, status text"
)


def create_function_sql(events_table: str, channel: str, lock_timeout: int, end_literal: str) -> str:
    """The function, for the live tables; `events_table` is schema-qualified and quoted."""
    facts, status = LIVE["facts"], LIVE["status"]
    timeout = f"PERFORM set_config('lock_timeout', '{lock_timeout}s', true);" if lock_timeout else ""
    columns = ", ".join(FACT_COLUMNS)
    status_columns = ", ".join(STATUS_COLUMNS)
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(p_events json, p_facts json, p_closes json, p_rows json, p_request json)
RETURNS TABLE (event_id bigint, first_position bigint, originator_id uuid, originator_version bigint,
               topic text, state bytea) LANGUAGE plpgsql AS $body$
DECLARE
    first bigint;
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
    INSERT INTO {facts} ({columns})
        SELECT first + r.i, r.fact_id, r.relation_id, r.relation_version, r.actor, r.subject, r.type,
               r.effective_start, r.recorded_at, r.recorded_by, r.target, r.head || (first + r.i) || r.tail
        FROM json_to_recordset(p_facts) AS r({_FACT_TYPES});
    UPDATE {status} AS s SET sys_to = c.at
        FROM json_to_recordset(p_closes) AS c(relation_id uuid, valid_from date, at timestamptz)
        WHERE s.relation_id = c.relation_id AND s.valid_from = c.valid_from AND s.sys_to = {end_literal};
    INSERT INTO {status} ({status_columns})
        SELECT {status_columns} FROM json_to_recordset(p_rows) AS r({_STATUS_TYPES});
    IF p_request IS NOT NULL THEN
        INSERT INTO ledger_requests (principal, key, hash, response, created_at)
            SELECT q.principal, q.key, q.hash, q.head || COALESCE(first::text || q.tail, ''), q.created_at
            FROM json_to_record(p_request)
                AS q(principal text, key text, hash text, head text, tail text, created_at text);
    END IF;
END
$body$
"""


CALL = f"SELECT * FROM {FUNCTION}(%s::json, %s::json, %s::json, %s::json, %s::json)"


def call_args(stored_events: Sequence[StoredEvent], changes: ViewChanges) -> list[str | None]:
    """The function's five JSON arguments: events, facts (without positions), closes, rows, request.

    `changes` must have been prepared (StatusView.prepare), so the rows' parameters are built.
    """
    assert changes.ready_facts is not None and changes.ready_rows is not None
    events = [
        {
            "originator_id": str(e.originator_id),
            "originator_version": e.originator_version,
            "topic": e.topic,
            "state": e.state.hex(),
        }
        for e in stored_events
    ]
    facts = [
        dict(zip(_FACT_KEYS, (i, *fixed, head, tail), strict=True))
        for i, (fixed, head, tail) in enumerate(changes.ready_facts)
    ]
    closes = [{"relation_id": rid, "valid_from": day, "at": at} for rid, day, at in changes.closes]
    rows = [dict(zip(STATUS_COLUMNS, row, strict=True)) for row in changes.ready_rows]
    request = None
    if changes.request is not None:
        principal, key, body_hash, answer = changes.request
        head, tail = split_at_position(answer) if positioned(answer, changes) else (canonical(answer), None)
        request = _json(
            {
                "principal": principal,
                "key": key,
                "hash": body_hash,
                "head": head,
                "tail": tail,
                "created_at": request_time(),
            }
        )
    return [_json(events), _json(facts), _json(closes), _json(rows), request]


def settle(changes: ViewChanges, results: Sequence[tuple[Any, ...]]) -> list[int]:
    """Take the function's answer: the events' notification ids; the facts' positions, and the
    stored answer to the request, into `changes` (as the pipelined write leaves them).

    Overtaken if the function wrote nothing, because the events' versions are already stored.
    """
    if results and results[0][0] is None:
        raise Overtaken([StoredEvent(r[2], r[3], r[4], bytes(r[5])) for r in results])
    first = int(results[0][1])
    changes.positions = list(range(first, first + len(changes.facts)))
    if changes.request is not None:
        answer = changes.request[3]
        changes.response = answer | {"position": first} if positioned(answer, changes) else answer
    return [int(r[0]) for r in results]


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
