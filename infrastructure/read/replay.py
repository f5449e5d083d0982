"""Answering status questions from the event store alone, for audits and tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from domain.facts import Fact, FactType
from domain.relation import Relation, project
from domain.timeline import ACTING, Fold, Interval, build_timeline, corrections, status_on
from infrastructure.encoding.answers import audit_body, evidence, interval, recognition, revision, valid_end
from infrastructure.store.event_reader import RELATION_OPENED, EventReader


class Replay:
    """The view's primitive answers, by folding each relation's stored events."""

    def __init__(self, app: Application[Any]) -> None:
        self.app = app
        self.reader = EventReader(app)

    def relations(self) -> Iterator[tuple[UUID, str, str]]:
        """Every relation in the event store: (id, actor, subject)."""
        for n, opened in self.reader.events(topics=[RELATION_OPENED]):
            yield UUID(str(n.originator_id)), opened.actor, opened.subject

    def known_facts(self, relation_id: UUID, recorded_at: datetime) -> list[Fact]:
        """The relation's facts as the ledger held them at system time `recorded_at`."""
        # Every stored event, decoded here: replay uses no process state (not the relation cache).
        relation: Relation | None = project(None, self.app.events.get(relation_id))
        if relation is None:
            return []
        return [f for f in relation.facts if f.recorded_at <= recorded_at]

    def _timelines(
        self, recorded_at: datetime, *, subject: str | None = None, actor: str | None = None
    ) -> Iterator[tuple[str, str, list[Interval]]]:
        for rid, a, s in self.relations():
            if (subject and s != subject) or (actor and a != actor):
                continue
            facts = self.known_facts(rid, recorded_at)
            if facts:
                yield a, s, build_timeline(facts)

    def recognitions(
        self, subject: str, at: date, recorded_at: datetime
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        entries, ids, disputed, relations = [], set(), set(), set()
        for actor, _, timeline in self._timelines(recorded_at, subject=subject):
            status = status_on(timeline, at)
            rec = status.recognition
            if rec.state == "recognised" and rec.fact_id is not None and rec.since is not None:
                fact_id, is_disputed = str(rec.fact_id), rec.fact_id in status.disputed_facts
                approximate = rec.fact_id in status.approximate_facts
                since, precision = rec.since.isoformat(), rec.since_precision or "day"
                entries.append(recognition(actor, rec.form, since, precision, fact_id, approximate, is_disputed))
                ids.add(fact_id)
                relations.add(str(Relation.create_id(actor, subject)))
                if is_disputed:
                    disputed.add(fact_id)
        entries.sort(key=lambda r: (r["since"], r["actor"]))
        facts = self.evidence(ids, disputed, recorded_at, relations)
        return entries, {e["fact_id"]: facts[e["fact_id"]] for e in entries} | facts

    def evidence(
        self, fact_ids: set[str], disputed: set[str], recorded_at: datetime, relations: set[str]
    ) -> dict[str, dict[str, Any]]:
        """As the view's: the facts with these ids, found in these relations, and the standing disputes."""
        facts, disputes = [], []
        for rid in sorted(relations):
            known = self.known_facts(UUID(rid), recorded_at)
            retracted, _ = corrections(known)
            for version, fact in enumerate(known, start=1):
                fact_id = str(fact.fact_id)
                if fact_id in fact_ids:
                    facts.append(audit_body(fact, version))
                elif (
                    fact.type is FactType.FACT_DISPUTED
                    and str(fact.target) in disputed
                    and fact.fact_id not in retracted
                ):
                    disputes.append(audit_body(fact, version))
        return evidence(facts, disputes)

    def subject_status(self, subject: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = [{"actor": a, **status_on(t, at).to_dict()} for a, _, t in self._timelines(recorded_at, subject=subject)]
        return sorted(rows, key=lambda r: r["actor"])

    def actor_status(self, actor: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = [{"subject": s, **status_on(t, at).to_dict()} for _, s, t in self._timelines(recorded_at, actor=actor)]
        return sorted(rows, key=lambda r: r["subject"])

    def timeline(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        facts = self.known_facts(UUID(relation_id), recorded_at)
        return [_interval(iv) for iv in (build_timeline(facts) if facts else [])]

    def relation_facts(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        facts = self.known_facts(UUID(relation_id), recorded_at)
        return [audit_body(fact, version) for version, fact in enumerate(facts, start=1)]

    def revisions(self, relation_id: str, after: int, limit: int, recorded_at: datetime) -> list[dict[str, Any]]:
        """As the view's: each fact after version `after`, with the intervals its recording replaced."""
        out, fold = [], Fold()
        for version, fact in enumerate(self.known_facts(UUID(relation_id), recorded_at), start=1):
            old = fold.timeline
            fold = fold.plus(fact)
            if version <= after:
                continue
            new = set(fold.timeline)
            kept = set(old) & new
            before = [_interval(iv) for iv in old if iv not in kept]
            now = [_interval(iv) for iv in fold.timeline if iv not in kept]
            out.append(revision(audit_body(fact, version), before, now))
            if len(out) == limit:
                break
        return out

    def subject_intervals(self, subject: str, start: date, end: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = [
            {"actor": actor, "valid_from": iv.valid_from.isoformat(), "status": iv.status.to_dict()}
            for actor, _, timeline in self._timelines(recorded_at, subject=subject)
            for iv in timeline
            if iv.valid_from <= end and iv.valid_to > start
        ]
        return sorted(rows, key=lambda r: (r["actor"], r["valid_from"]))

    def facts_on(self, subject: str, days: set[str], recorded_at: datetime) -> list[tuple[str, str, str]]:
        out = []
        for rid, actor, s in self.relations():
            if s != subject:
                continue
            known = self.known_facts(rid, recorded_at)
            retracted, _ = corrections(known)
            for fact in known:
                day = fact.effective_on.start.isoformat()
                if day in days and fact.type in ACTING and fact.fact_id not in retracted:
                    out.append((actor, day, str(fact.fact_id)))
        return out

    def recognised_spans(self, subject: str, recorded_at: datetime) -> list[tuple[str, str, str | None]]:
        spans = []
        for actor, _, timeline in self._timelines(recorded_at, subject=subject):
            for iv in timeline:
                if iv.status.recognition.state == "recognised":
                    spans.append((actor, iv.valid_from.isoformat(), valid_end(iv.valid_to)))
        return spans


def _interval(iv: Interval) -> dict[str, Any]:
    return interval(iv.valid_from, iv.valid_to, iv.status.to_dict())
