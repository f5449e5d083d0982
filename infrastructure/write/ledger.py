"""The service layer: every method loads, commands, saves and returns plain data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent
from eventsourcing.utils import Environment, EnvType

from domain.dates import EffectiveDate, Precision
from domain.details import clean_sources, clean_text
from domain.errors import RuleViolation, UnknownFact
from domain.facts import Fact, FactType
from domain.impossible_facts import check_possible
from domain.relation import Relation, project
from infrastructure.encoding import transcodings
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.errors import NotFound, Overtaken, PreconditionFailed, TooMuchContention
from infrastructure.log.tree import LogTree
from infrastructure.reference.actors import ActorCatalogue
from infrastructure.sql.dialect import Dialect
from infrastructure.store.idempotency import IdempotencyStore
from infrastructure.store.logged_events import LoggedEventStore
from infrastructure.store.view_recording import ViewRecording
from infrastructure.view.changes import ViewChanges
from infrastructure.view.known_subjects import KnownSubjects
from infrastructure.view.reader import ViewReader
from infrastructure.view.relation_diff import RelationDiff
from infrastructure.view.row_writer import RowWriter
from infrastructure.view.schema import Schema
from infrastructure.write.catalogue import MAX_ATTEMPTS, CatalogueCommands
from infrastructure.write.held_relations import HeldRelations
from infrastructure.write.inputs import Problems, fact_fields, unknown_fields
from infrastructure.write_request import WriteRequest

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Ledger(CatalogueCommands, Application[UUID]):
    """The Recognition Ledger's write side, with its views for reads."""

    name = "Ledger"

    def __init__(self, env: EnvType | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env)
        self.clock = clock
        recording: ViewRecording = self.recorder  # type: ignore[assignment]
        self.view: ViewReader = recording.view
        self.rows: RowWriter = recording.rows
        self.schema: Schema = recording.schema
        self.dialect: Dialect = recording.dialect
        self.answers: IdempotencyStore = recording.answers
        self.tree: LogTree = recording.tree
        self.actors = ActorCatalogue(self.view.actors)
        self.subjects = KnownSubjects(self.view)
        cache = self.repository.cache
        self.held = HeldRelations(cache.maxsize if isinstance(cache, LRUCache) else 0)

    def shared_env(self) -> dict[str, str] | None:
        """What another process needs to open this ledger's store: None for an SQLite
        database in memory, which no other process can reach. Tables are not created there."""
        if not self.dialect.shared:
            return None
        return {**self.env, "CREATE_TABLE": "no"}

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Only the settings module reads the process environment; take what it gives.
        return Environment(name, dict(env or {}))

    def construct_event_store(self) -> LoggedEventStore:
        store = LoggedEventStore(mapper=self.mapper, recorder=self.recorder)
        store.logging = self.env.get("LOG_LEAVES") != "no"  # off only in a benchmark of the log's cost
        return store

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcodings.register(transcoder)

    # --- idempotent saving --------------------------------------------------

    def save_once(
        self,
        aggregate: Any,
        changes: ViewChanges,
        request: WriteRequest,
        response: dict[str, Any],
        exists: Exception | None,
    ) -> dict[str, Any]:
        """Save with the answer kept in the same transaction; a lost race gives the winner's answer."""
        self.rows.prepare(changes)
        try:
            self.save(aggregate, view_changes=changes, kept=self.answers.keep(request, response))
        except IntegrityError:
            done = self.answers.answer(request)
            if done is not None:
                return done
            if exists is None:
                raise
            raise exists from None
        return response

    # --- facts ----------------------------------------------------------------

    def record_fact(self, data: Mapping[str, Any], request: WriteRequest) -> dict[str, Any]:
        """Record a fact if every rule of its relation still holds; return its receipt."""
        done = self.answers.answer(request)
        if done is not None:
            return done
        fact_type, effective, details, sources, note = fact_fields(data, self.clock().date())
        found = self.actors.get(data.get("actor"))
        actor = found.code
        subject = data.get("subject")
        if not isinstance(subject, str) or not self.subjects.exists(subject):
            raise NotFound("subject", str(subject), "subject")
        check_possible(fact_type, actor, subject, effective, found.lifespan, self.subjects.territory(subject))

        def make(recorded_at: datetime) -> Fact:
            return Fact(
                uuid4(), fact_type, actor, subject, effective, details, sources, note, recorded_at, request.principal
            )

        return self._commit(actor, subject, make, request)

    def retract(self, fact_id: str, data: Mapping[str, Any], request: WriteRequest) -> dict[str, Any]:
        """Record that a fact no longer counts, keeping the reason."""
        return self._correct(FactType.FACT_RETRACTED, "retracts", fact_id, data, request)

    def dispute(self, fact_id: str, data: Mapping[str, Any], request: WriteRequest) -> dict[str, Any]:
        """Record that a fact is disputed; answers resting on it will say so."""
        return self._correct(FactType.FACT_DISPUTED, "disputes", fact_id, data, request)

    def _correct(
        self, fact_type: FactType, link: str, fact_id: str, data: Mapping[str, Any], request: WriteRequest
    ) -> dict[str, Any]:
        done = self.answers.answer(request)
        if done is not None:
            return done
        target = self.view.fact_named(fact_id)
        problems = Problems()
        unknown_fields(data, {"reason", "sources", "note"}, problems)
        reason = problems.check(lambda: clean_text(data.get("reason"), "reason", required=True))
        required = fact_type is FactType.FACT_DISPUTED
        sources = problems.check(lambda: clean_sources(data.get("sources"), required=required))
        note = problems.check(lambda: clean_text(data.get("note"), "note"))
        problems.raise_any()

        def make(recorded_at: datetime) -> Fact:
            today = EffectiveDate(recorded_at.date(), Precision.DAY)
            details = {link: target["fact_id"], "reason": reason}
            return Fact(
                uuid4(),
                fact_type,
                target["actor"],
                target["subject"],
                today,
                details,
                sources or (),
                note,
                recorded_at,
                request.principal,
            )

        return self._commit(target["actor"], target["subject"], make, request)

    def _commit(
        self, actor: str, subject: str, make: Callable[[datetime], Fact], request: WriteRequest
    ) -> dict[str, Any]:
        """Check and save; on a concurrent write, catch up with the stored relation and check again."""
        start: Relation | None = None  # the relation to record in, as stored (`current`) or as held
        current = False
        for attempt in range(MAX_ATTEMPTS):
            if start is None:
                start, current = self.relation_to_write(actor, subject, trust_saved=attempt == 0)
            relation = deepcopy(start)
            try:
                if request.expected_version is not None and request.expected_version != len(relation.facts):
                    raise PreconditionFailed(request.expected_version, len(relation.facts))
                last = relation.last_recorded_at
                now = self.clock()
                fact = make(max(now, last + timedelta(microseconds=1)) if last else now)
                changes = self.changes_for(relation, [fact])
            except (RuleViolation, UnknownFact, PreconditionFailed) as refusal:
                if current:
                    # The same request, sent again while this one ran, may have been recorded
                    # meanwhile: its answer, not a refusal of the fact it recorded.
                    return self.answers.answered_or(request, refusal)
                start = None  # perhaps only the copy is out of date: ask the store
                continue
            receipt = {
                "fact_id": str(fact.fact_id),
                "position": None,
                "relation_version": len(relation.facts),
                "recorded_at": rfc3339(fact.recorded_at),
            }
            self.rows.prepare(changes)
            try:
                self.save(relation, view_changes=changes, kept=self.answers.keep(request, receipt, positioned=True))
            except Overtaken as behind:
                # Nothing written; the answer holds the stored events the copy lacks.
                start, current = self.caught_up(start, behind.missing), True
                continue
            except IntegrityError:
                done = self.answers.answer(request)
                if done is not None:
                    return done
                start = None
                continue
            self.held.keep(deepcopy(relation))
            return receipt | {"position": changes.positions[0]}
        raise TooMuchContention("the relation kept changing under this write; try again")

    def caught_up(self, relation: Relation, missing: list[StoredEvent]) -> Relation:
        """The relation as stored: the copy with the stored events it lacked (from the start,
        for a copy that was new)."""
        events = map(self.mapper.to_domain_event, missing)
        if missing[0].originator_version == 1:
            return project(None, events)  # type: ignore[no-any-return]
        return relation.caught_up(events)

    def relation_to_write(self, actor: str, subject: str, *, trust_saved: bool) -> tuple[Relation, bool]:
        """The relation to record in (not to be changed: the caller copies it), and whether it
        was loaded from the store just now (else it is as this process last saved it, which a
        concurrent write may have overtaken, or new).

        A relation this process does not hold is tried as new: the store answers a write from an
        overtaken copy with the events it lacked, so a new one is written in one round trip,
        and a stored one costs the same two as loading it first."""
        if trust_saved and self.held.enabled:
            held = self.held.get(Relation.create_id(actor, subject))
            if held is not None:
                return held, False
            return Relation(actor=actor, subject=subject), False
        return self.load_relation(actor, subject), True

    def changes_for(self, relation: Relation, facts: list[Fact]) -> ViewChanges:
        """Record facts in the relation and compute the view rows they change."""
        before = relation.timeline if relation.facts else []
        diff = RelationDiff(relation.id, relation.actor, relation.subject, before)
        rows = [diff.record(fact, relation.record(fact), len(relation.facts)) for fact in facts]
        changes = diff.finish()
        changes.facts = rows
        return changes

    def load_relation(self, actor: str, subject: str) -> Relation:
        try:
            relation: Relation = self.repository.get(Relation.create_id(actor, subject), projector_func=project)
            return relation
        except AggregateNotFoundError:
            return Relation(actor=actor, subject=subject)
