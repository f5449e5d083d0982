"""Answering status questions from the event store alone, for audits and tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.facts import Fact
from domain.relation import Relation, project
from domain.timeline import Interval, build_timeline, status_on
from infrastructure.encoding.transcodings import audit_body

if TYPE_CHECKING:
    from infrastructure.write.ledger import Ledger

PAGE = 1000


class Replay:
    """The same primitive answers as the view, by folding each relation's stored events."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.opened_topic = get_topic(Relation.Opened)  # type: ignore[attr-defined]  # made by @event

    def relations(self) -> Iterator[tuple[UUID, str, str]]:
        """Every relation in the event store: (id, actor, subject)."""
        recorder, start = self.ledger.recorder, 1
        while True:
            page = recorder.select_notifications(start, PAGE, topics=[self.opened_topic])
            for n in page:
                event = self.ledger.mapper.to_domain_event(n)
                yield n.originator_id, event.actor, event.subject  # type: ignore[misc, attr-defined]
            if len(page) < PAGE:
                return
            start = page[-1].id + 1

    def known_facts(self, relation_id: UUID, recorded_at: datetime) -> list[Fact]:
        """The relation's facts as the ledger held them at system time `recorded_at`."""
        # Every stored event, decoded here: replay uses no process state (not the relation cache).
        events = self.ledger.events.get(relation_id)
        relation: Relation | None = project(None, events)  # type: ignore[arg-type]
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

    def recognitions(self, subject: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        out = []
        for actor, _, timeline in self._timelines(recorded_at, subject=subject):
            rec = status_on(timeline, at).recognition
            if rec.state == "recognised":
                out.append({"actor": actor, "form": rec.form, "since": rec.since.isoformat() if rec.since else None})
        return sorted(out, key=lambda r: (r["since"] or "", r["actor"]))

    def subject_status(self, subject: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = [{"actor": a, **status_on(t, at).to_dict()} for a, _, t in self._timelines(recorded_at, subject=subject)]
        return sorted(rows, key=lambda r: r["actor"])

    def actor_status(self, actor: str, at: date, recorded_at: datetime) -> list[dict[str, Any]]:
        rows = [{"subject": s, **status_on(t, at).to_dict()} for _, s, t in self._timelines(recorded_at, actor=actor)]
        return sorted(rows, key=lambda r: r["subject"])

    def timeline(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        facts = self.known_facts(UUID(relation_id), recorded_at)
        return [
            {
                "valid_from": iv.valid_from.isoformat(),
                "valid_to": None if iv.valid_to.year == 9999 else iv.valid_to.isoformat(),
                "status": iv.status.to_dict(),
            }
            for iv in (build_timeline(facts) if facts else [])
        ]

    def relation_facts(self, relation_id: str, recorded_at: datetime) -> list[dict[str, Any]]:
        facts = self.known_facts(UUID(relation_id), recorded_at)
        return [audit_body(fact, version) for version, fact in enumerate(facts, start=1)]

    def recognised_spans(self, subject: str, recorded_at: datetime) -> list[tuple[str, str, str | None]]:
        spans = []
        for actor, _, timeline in self._timelines(recorded_at, subject=subject):
            for iv in timeline:
                if iv.status.recognition.state == "recognised":
                    end = None if iv.valid_to.year == 9999 else iv.valid_to.isoformat()
                    spans.append((actor, iv.valid_from.isoformat(), end))
        return spans
