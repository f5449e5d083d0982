"""Reading the status view: every question of the design as index lookups on its rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

from infrastructure.encoding.answers import (
    day_text,
    evidence,
    fact_answer,
    interval,
    recognition,
    revision,
    valid_end,
)
from infrastructure.encoding.canonical import parsed
from infrastructure.encoding.rfc3339 import parse_rfc3339, rfc3339
from infrastructure.errors import NotFound
from infrastructure.sql.dialect import Dialect
from infrastructure.view.changes import LATEST
from infrastructure.view.fact_bodies import FactBodies
from infrastructure.view.tables import LIVE, MAX_POSITION

# Filters by name: each holds one value or several, and several mean any of them.
AUDIT_NAMES = ("actor", "subject", "type", "recorded_by")
AUDIT_BOUNDS = {
    "effective_from": "effective_start >= ?",
    "effective_to": "effective_start <= ?",
    "recorded_from": "recorded_at >= ?",
    "recorded_to": "recorded_at <= ?",
}


class ViewReader:
    """The view's answers, shaped as replay shapes them (encoding/answers)."""

    # Each recognition with its deciding fact and that part's flags; dates and ids as text, as
    # answers give them. The facts' bodies are read apart, and kept (FactBodies).
    recognition_columns = (
        "SELECT actor, form, CAST(rec_since AS text), rec_precision, CAST(rec_fact AS text), "
        "rec_approximate, rec_disputed FROM {status} "
    )
    select_recognitions = (
        recognition_columns + "WHERE subject = ? AND recognised = ? "
        "AND valid_from <= ? AND valid_to > ? AND sys_from <= ? AND sys_to > ? "
        "ORDER BY rec_since, actor"
    )
    # The latest knowledge only, from the partial index of open recognised rows: its predicate
    # is spelled as in the index (literals, not parameters), so planners can prove it applies.
    select_latest_recognitions = (
        recognition_columns + "WHERE subject = ? AND recognised "
        "AND sys_to = END AND valid_from <= ? AND valid_to > ? ORDER BY rec_since, actor"
    )
    select_facts_by_id = "SELECT CAST(fact_id AS text), position, body FROM {facts} WHERE fact_id IN ({ids})"
    # The disputes of these facts that stand at a system time: recorded by then, not retracted by then.
    select_disputes = (
        "SELECT f.position, f.body FROM {facts} f WHERE f.target IN ({ids}) AND f.type = 'fact_disputed' "
        "AND f.recorded_at <= ? AND NOT EXISTS (SELECT 1 FROM {facts} r WHERE r.target = f.fact_id "
        "AND r.type = 'fact_retracted' AND r.recorded_at <= ?) ORDER BY f.position"
    )
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
    select_subject_intervals = (
        "SELECT actor, valid_from, valid_to, status FROM {status} WHERE subject = ? "
        "AND valid_from <= ? AND valid_to > ? AND sys_from <= ? AND sys_to > ? ORDER BY actor, valid_from"
    )
    # Standing facts that act in valid time, of a subject, taking effect on one of some days.
    select_facts_on = (
        "SELECT actor, effective_start, fact_id FROM {facts} f WHERE subject = ? AND effective_start IN ({days}) "
        "AND type NOT IN ('fact_retracted', 'fact_disputed', 'statement_made') AND recorded_at <= ? "
        "AND NOT EXISTS (SELECT 1 FROM {facts} r WHERE r.target = f.fact_id AND r.type = 'fact_retracted' "
        "AND r.recorded_at <= ?) ORDER BY position"
    )
    select_relation_page = (
        "SELECT position, body FROM {facts} WHERE relation_id = ? AND relation_version > ? AND recorded_at <= ? "
        "ORDER BY position LIMIT ?"
    )
    # The rows a page of facts closed or opened: their system times are the facts' recording times.
    select_revised_rows = (
        "SELECT valid_from, valid_to, sys_from, sys_to, status FROM {status} WHERE relation_id = ? "
        "AND ((sys_from >= ? AND sys_from <= ?) OR (sys_to >= ? AND sys_to <= ?)) ORDER BY valid_from"
    )
    # The retractions of these facts, and their disputes not retracted (a retraction cannot be).
    select_standing = (
        "SELECT CAST(c.target AS text), CAST(c.fact_id AS text), c.type FROM {facts} c WHERE c.target IN ({ids}) "
        "AND NOT EXISTS (SELECT 1 FROM {facts} r WHERE r.target = c.fact_id AND r.type = 'fact_retracted') "
        "ORDER BY c.position"
    )
    select_recognised_spans = (
        "SELECT actor, valid_from, valid_to FROM {status} WHERE subject = ? AND recognised = ? "
        "AND sys_from <= ? AND sys_to > ?"
    )
    select_fact = "SELECT position, body FROM {facts} WHERE fact_id = ?"
    select_corrections = "SELECT position, body FROM {facts} WHERE target = ? ORDER BY position"
    select_relation_facts = (
        "SELECT position, body FROM {facts} WHERE relation_id = ? AND recorded_at <= ? ORDER BY position"
    )
    select_subjects = "SELECT body FROM {subjects} ORDER BY slug"
    select_subject = "SELECT body FROM {subjects} WHERE slug = ?"
    select_subject_slugs = "SELECT slug FROM {subjects}"
    select_actors = "SELECT body FROM {actors} ORDER BY code"
    select_all_status = "SELECT * FROM {status} ORDER BY relation_id, valid_from, sys_from"

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.bodies = FactBodies()
        self.latest_recognitions = dialect.sql(self.select_latest_recognitions, LIVE).replace(
            "END", dialect.end_literal
        )

    def _at(self, at: date, recorded_at: datetime) -> list[Any]:
        d, s = self.dialect.day(at), self.dialect.time(recorded_at)
        return [d, d, s, s]

    def _rows(self, statement: str, params: list[Any]) -> list[dict[str, Any]]:
        return self.dialect.rows(self.dialect.sql(statement, LIVE), params)

    def recognitions_query(self, subject: str, at: date, recorded_at: datetime) -> tuple[str, list[Any]]:
        """The statement and parameters of `recognitions`, for a reader that runs them itself."""
        if recorded_at >= LATEST:
            day = self.dialect.day(at)
            return self.latest_recognitions, [subject, day, day]
        return self.dialect.sql(self.select_recognitions, LIVE), [subject, True, *self._at(at, recorded_at)]

    def recognitions(
        self, subject: str, at: date, recorded_at: datetime
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """Who recognises the subject, and the evidence: the deciding facts and their disputes."""
        rows = self.dialect.tuples(*self.recognitions_query(subject, at, recorded_at))
        entries, disputed = recognised(rows)
        ids = [e["fact_id"] for e in entries]
        disputes = self._rows(*self.disputes_query(disputed, recorded_at)) if disputed else []
        return entries, evidence(self.facts(ids), [_fact(r) for r in disputes])

    def facts(self, fact_ids: list[str]) -> list[dict[str, Any]]:
        """The facts with these ids, in this order, as answers give them."""
        found, missing = self.bodies.take(fact_ids)
        for some in _chunks(missing):
            self.bodies.put(self.dialect.tuples(*self.bodies_query(some)), found)
        return [fact_answer(parsed(found[i][1]), found[i][0]) for i in fact_ids if i in found]

    def bodies_query(self, fact_ids: list[str]) -> tuple[str, list[Any]]:
        """The statement and parameters that read these facts' ids, positions and bodies."""
        return self.dialect.sql(self.select_facts_by_id.replace("{ids}", _marks(fact_ids)), LIVE), fact_ids

    def disputes_query(self, fact_ids: list[str], recorded_at: datetime) -> tuple[str, list[Any]]:
        """The statement (with `{facts}` to fill) and parameters of the standing disputes of these facts."""
        s = self.dialect.time(recorded_at)
        return self.select_disputes.replace("{ids}", _marks(fact_ids)), [*fact_ids, s, s]

    def evidence(
        self, fact_ids: set[str], disputed: set[str], recorded_at: datetime, relations: set[str]
    ) -> dict[str, dict[str, Any]]:
        """The facts with these ids, and the standing disputes of those in `disputed`."""
        disputes = [
            r for some in _chunks(sorted(disputed)) for r in self._rows(*self.disputes_query(some, recorded_at))
        ]
        return evidence(self.facts(sorted(fact_ids)), [_fact(r) for r in disputes])

    def subject_status(self, subject: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = self._rows(self.select_subject_status, [subject, *self._at(at, recorded_at)])
        return [{"actor": r["actor"], **parsed(r["status"])} for r in rows]

    def actor_status(self, actor: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = self._rows(self.select_actor_status, [actor, *self._at(at, recorded_at)])
        return [{"subject": r["subject"], **parsed(r["status"])} for r in rows]

    def timeline(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        s = self.dialect.time(recorded_at)
        rows = self._rows(self.select_timeline, [relation_id, s, s])
        return [interval(r["valid_from"], r["valid_to"], parsed(r["status"])) for r in rows]

    def subject_intervals(self, subject: str, start: date, end: date, recorded_at: datetime) -> list[dict[str, Any]]:
        """Every interval of the subject's relations that holds on some day from `start` to `end`."""
        d = self.dialect
        s = d.time(recorded_at)
        rows = self._rows(self.select_subject_intervals, [subject, d.day(end), d.day(start), s, s])
        return [
            {"actor": r["actor"], "valid_from": day_text(r["valid_from"]), "status": parsed(r["status"])} for r in rows
        ]

    def facts_on(self, subject: str, days: set[str], recorded_at: datetime) -> list[tuple[str, str, str]]:
        """(actor, day, fact id) of the standing facts of the subject that act from one of these days."""
        d, s = self.dialect, self.dialect.time(recorded_at)
        out = []
        for some in _chunks(sorted(days)):
            sql = self.select_facts_on.replace("{days}", _marks(some))
            rows = self._rows(sql, [subject, *[d.day(date.fromisoformat(x)) for x in some], s, s])
            out += [(r["actor"], day_text(r["effective_start"]), str(r["fact_id"])) for r in rows]
        return out

    def revisions(self, relation_id: str, after: int, limit: int, recorded_at: datetime) -> list[dict[str, Any]]:
        """The relation's facts after version `after`, each with the intervals its recording closed and opened."""
        d = self.dialect
        facts = [
            _fact(r) for r in self._rows(self.select_relation_page, [relation_id, after, d.time(recorded_at), limit])
        ]
        if not facts:
            return []
        first, last = (d.time(parse_rfc3339(facts[i]["recorded_at"])) for i in (0, -1))
        rows = self._rows(self.select_revised_rows, [relation_id, first, last, first, last])
        closed: dict[str, list[dict[str, Any]]] = {}
        opened: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            iv = interval(r["valid_from"], r["valid_to"], parsed(r["status"]))
            opened.setdefault(_moment(r["sys_from"]), []).append(iv)
            closed.setdefault(_moment(r["sys_to"]), []).append(iv)
        return [revision(f, closed.get(f["recorded_at"], []), opened.get(f["recorded_at"], [])) for f in facts]

    def with_corrections(self, facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Facts of the audit log, each with its retraction (`retracted_by`) and standing disputes."""
        ids = [f["fact_id"] for f in facts]
        if not ids:
            return facts
        rows = self.dialect.tuples(self.dialect.sql(self.select_standing.replace("{ids}", _marks(ids)), LIVE), ids)
        retracted: dict[str, str] = {}
        disputed: dict[str, list[str]] = {}
        for target, fact_id, kind in rows:
            if kind == "fact_retracted":
                retracted[target] = fact_id
            else:
                disputed.setdefault(target, []).append(fact_id)
        return [
            f | {"retracted_by": retracted.get(f["fact_id"]), "disputed_by": disputed.get(f["fact_id"], [])}
            for f in facts
        ]

    def recognised_spans(self, subject: str, recorded_at: datetime) -> list[tuple[str, str, str | None]]:
        s = self.dialect.time(recorded_at)
        rows = self._rows(self.select_recognised_spans, [subject, True, s, s])
        return [(r["actor"], day_text(r["valid_from"]), valid_end(r["valid_to"])) for r in rows]

    def fact(self, fact_id: str) -> dict[str, Any] | None:
        rows = self._rows(self.select_fact, [fact_id])
        return _fact(rows[0]) if rows else None

    def fact_named(self, fact_id: str) -> dict[str, Any]:
        """The fact a client names by id, or NotFound."""
        try:
            key = str(UUID(str(fact_id)))
        except ValueError:
            raise NotFound("fact", str(fact_id)) from None
        body = self.fact(key)
        if body is None:
            raise NotFound("fact", key)
        return body

    def corrections_of(self, fact_id: str) -> list[dict[str, Any]]:
        return [_fact(r) for r in self._rows(self.select_corrections, [fact_id])]

    def relation_facts(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = self._rows(self.select_relation_facts, [relation_id, self.dialect.time(recorded_at)])
        return [_fact(r) for r in rows]

    def audit(self, filters: dict[str, Any], after: int, limit: int) -> list[dict[str, Any]]:
        clauses = ["position > ?"]
        params: list[Any] = [after]
        for name, value in filters.items():
            if value is None:
                continue
            if name in AUDIT_NAMES:
                values = [value] if isinstance(value, str) else list(value)
                if values:  # the column's name is one of AUDIT_NAMES; the values go as parameters
                    clauses.append(f"{name} = ?" if len(values) == 1 else f"{name} IN ({', '.join('?' * len(values))})")
                    params += values
                continue
            clauses.append(AUDIT_BOUNDS[name])
            if isinstance(value, datetime):
                value = self.dialect.time(value)
            elif isinstance(value, date):
                value = self.dialect.day(value)
            params.append(value)
        sql = f"SELECT position, body FROM {{facts}} WHERE {' AND '.join(clauses)} ORDER BY position LIMIT ?"
        return [_fact(r) for r in self._rows(sql, [*params, limit])]

    def max_position(self) -> int:
        return int(self._rows(MAX_POSITION, [])[0]["n"])

    def subjects(self) -> list[dict[str, Any]]:
        return [parsed(r["body"]) for r in self._rows(self.select_subjects, [])]

    def subject_slugs(self) -> list[str]:
        return [r[0] for r in self.dialect.tuples(self.dialect.sql(self.select_subject_slugs, LIVE), [])]

    def subject(self, slug: str) -> dict[str, Any] | None:
        rows = self._rows(self.select_subject, [slug])
        return parsed(rows[0]["body"]) if rows else None

    def actors(self) -> list[dict[str, Any]]:
        return [parsed(r["body"]) for r in self._rows(self.select_actors, [])]

    def all_status_rows(self, tables: dict[str, str] = LIVE) -> Iterator[tuple[str, ...]]:
        """Every status row, in key order: for comparing a rebuilt view with the live one."""
        for r in self.dialect.rows(self.dialect.sql(self.select_all_status, tables), []):
            yield tuple(str(v) for v in r.values())


def _fact(row: dict[str, Any]) -> dict[str, Any]:
    return fact_answer(parsed(row["body"]), int(row["position"]))


def _moment(value: datetime | str) -> str:
    """A system time as answers write it (the backend may hand it as a time or as that text)."""
    return value if isinstance(value, str) else rfc3339(value)


def _chunks(values: list[str], size: int = 1000) -> Iterator[list[str]]:
    """Values a statement's IN list at a time: backends cap the parameters of one statement."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(values: list[str]) -> str:
    return ", ".join("?" * len(values))


def recognised(rows: list[tuple[Any, ...]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of the recognitions query: the entries, and the ids of their disputed facts."""
    entries = [recognition(*row) for row in rows]
    return entries, [e["fact_id"] for e in entries if e["disputed"]]
