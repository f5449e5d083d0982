"""The service layer: every method loads, commands, saves and returns plain data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import Environment, EnvType

from domain.actor import ActorKind, RegisteredActor, check_code
from domain.dates import EffectiveDate, Precision
from domain.details import clean_sources, clean_text
from domain.errors import InvalidValue
from domain.facts import Fact, FactType, Source
from domain.relation import Relation
from domain.subject import Milestone, MilestoneKind, Subject, SubjectKind, check_slug
from domain.timeline import build_timeline
from infrastructure import transcodings
from infrastructure.actors import ActorCatalogue
from infrastructure.errors import (
    AlreadyExists,
    IdempotencyMismatch,
    NotFound,
    PreconditionFailed,
    TooMuchContention,
)
from infrastructure.inputs import Problems, enum_value, fact_fields, unknown_fields
from infrastructure.projection import FactRow, RelationDiff, ViewChanges
from infrastructure.subjects import subject_body
from infrastructure.timefmt import rfc3339
from infrastructure.views.base import StatusView

MAX_ATTEMPTS = 8
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Ledger(Application[UUID]):
    """The Recognition Ledger's write side, with its views for reads."""

    name = "Ledger"

    def __init__(self, env: EnvType | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env)
        self.clock = clock
        self.view: StatusView = self.recorder.view  # type: ignore[attr-defined]
        self.actors = ActorCatalogue(self.view.actors)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Only the settings module reads the process environment; take what it gives.
        return Environment(name, dict(env or {}))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcodings.register(transcoder)

    # --- subjects and actors ------------------------------------------------

    def register_subject(self, data: Mapping[str, Any], by: str) -> dict[str, Any]:
        """Register a subject before facts are recorded about it."""
        problems = Problems()
        unknown_fields(data, {"id", "name", "kind", "territory", "aliases"}, problems)
        slug = problems.check(lambda: check_slug(data.get("id")))
        name = problems.check(lambda: clean_text(data.get("name"), "name", limit=200, required=True))
        kind = problems.check(lambda: enum_value(SubjectKind, data.get("kind"), "kind"))
        territory = problems.check(lambda: self._territory(data.get("territory")))
        aliases = problems.check(lambda: _aliases(data.get("aliases")))
        problems.raise_any()
        assert slug and name and kind
        if self.view.subject(slug) is not None:
            raise AlreadyExists("subject", slug)
        subject = Subject(
            slug=slug,
            name=name,
            kind=kind,
            territory=territory,
            aliases=aliases or (),
            registered_at=self.clock(),
            registered_by=by,
        )
        return self._save_subject(subject, created=True)

    def add_milestone(self, slug: str, data: Mapping[str, Any], by: str) -> dict[str, Any]:
        """Record a dated, sourced milestone of a subject."""
        subject = self.load_subject(slug)
        now = self.clock()
        problems = Problems()
        unknown_fields(data, {"kind", "effective_on", "sources", "note"}, problems)
        kind = problems.check(lambda: enum_value(MilestoneKind, data.get("kind"), "kind"))
        effective = problems.check(lambda: EffectiveDate.parse(str(data.get("effective_on") or ""), today=now.date()))
        sources = problems.check(lambda: clean_sources(data.get("sources")))
        note = problems.check(lambda: clean_text(data.get("note"), "note"))
        problems.raise_any()
        assert kind and effective and sources
        milestone = Milestone(uuid4(), kind, effective, sources, note, now, by)
        subject.add_milestone(milestone)
        self._save_subject(subject, created=False)
        return transcodings.MilestoneAsDict().encode(milestone) | {"recorded_at": rfc3339(now)}

    def register_actor(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Register an organisation or entity that has no ISO 3166 code."""
        problems = Problems()
        unknown_fields(data, {"code", "name", "kind"}, problems)
        code = problems.check(lambda: check_code(data.get("code")))
        name = problems.check(lambda: clean_text(data.get("name"), "name", limit=200, required=True))
        kind = problems.check(lambda: enum_value(ActorKind, data.get("kind"), "kind"))
        problems.raise_any()
        assert code and name and kind
        try:
            self.actors.get(code)
            raise AlreadyExists("actor", code)
        except NotFound:
            pass
        actor = RegisteredActor(code=code, name=name, kind=kind, registered_at=self.clock())
        body = {"code": code, "name": name, "kind": kind.value, "registered_at": rfc3339(actor.registered_at)}
        self._save_new(actor, ViewChanges(actors=[body]), "actor", code)
        return body | {"source": "registered"}

    def _save_subject(self, subject: Subject, *, created: bool) -> dict[str, Any]:
        body = subject_body(subject)
        changes = ViewChanges(subjects=[body])
        if created:
            self._save_new(subject, changes, "subject", subject.slug)
        else:
            self.save(subject, view_changes=changes)
        return body

    def _save_new(self, aggregate: Any, changes: ViewChanges, kind: str, key: str) -> None:
        try:
            self.save(aggregate, view_changes=changes)
        except IntegrityError:
            raise AlreadyExists(kind, key) from None

    def load_subject(self, slug: str) -> Subject:
        try:
            return self.repository.get(Subject.create_id(slug))  # type: ignore[return-value]
        except AggregateNotFoundError:
            raise NotFound("subject", slug) from None

    def _territory(self, code: Any) -> str | None:
        if code is None:
            return None
        if not isinstance(code, str) or not self.actors.is_iso(code):
            raise InvalidValue("territory", f"{code!r} is not an ISO 3166 alpha-3 code")
        return code

    # --- facts ----------------------------------------------------------------

    def record_fact(
        self,
        data: Mapping[str, Any],
        by: str,
        *,
        expected_version: int | None = None,
        request_key: str | None = None,
        request_hash: str | None = None,
    ) -> dict[str, Any]:
        """Record a fact if every rule of its relation still holds; return its receipt."""
        now = self.clock()
        fact_type, effective, details, sources, note = fact_fields(data, now.date())
        actor = self.actors.get(data.get("actor")).code
        subject = str(data.get("subject"))
        if not isinstance(data.get("subject"), str) or self.view.subject(subject) is None:
            raise NotFound("subject", subject, "subject")

        def make(recorded_at: datetime) -> Fact:
            return Fact(
                uuid4(),
                fact_type,
                actor,
                subject,
                effective,
                details,
                sources,
                note,
                recorded_at,
                by,
                request_key,
                request_hash,
            )

        return self._commit(actor, subject, make, expected_version, request_key, request_hash)

    def retract(self, fact_id: str, data: Mapping[str, Any], by: str, **request: Any) -> dict[str, Any]:
        """Record that a fact no longer counts, keeping the reason."""
        return self._correct(FactType.FACT_RETRACTED, "retracts", fact_id, data, by, **request)

    def dispute(self, fact_id: str, data: Mapping[str, Any], by: str, **request: Any) -> dict[str, Any]:
        """Record that a fact is disputed; answers resting on it will say so."""
        return self._correct(FactType.FACT_DISPUTED, "disputes", fact_id, data, by, **request)

    def _correct(
        self,
        fact_type: FactType,
        link: str,
        fact_id: str,
        data: Mapping[str, Any],
        by: str,
        expected_version: int | None = None,
        request_key: str | None = None,
        request_hash: str | None = None,
    ) -> dict[str, Any]:
        target = self.fact_body(fact_id)
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
                by,
                request_key,
                request_hash,
            )

        return self._commit(target["actor"], target["subject"], make, expected_version, request_key, request_hash)

    def _commit(
        self,
        actor: str,
        subject: str,
        make: Callable[[datetime], Fact],
        expected_version: int | None,
        request_key: str | None,
        request_hash: str | None,
    ) -> dict[str, Any]:
        """Load, check, save; on a concurrent write, reload and check again."""
        for _ in range(MAX_ATTEMPTS):
            relation = self.load_relation(actor, subject)
            if request_key is not None:
                done = relation.find_request(request_key)
                if done is not None:
                    if done.request_hash != request_hash:
                        raise IdempotencyMismatch(request_key)
                    return self.receipt(done)
            if expected_version is not None and expected_version != len(relation.facts):
                raise PreconditionFailed(expected_version, len(relation.facts))
            last = relation.last_recorded_at
            now = self.clock()
            fact = make(max(now, last + timedelta(microseconds=1)) if last else now)
            changes = self.changes_for(relation, [fact])
            try:
                self.save(relation, view_changes=changes)
            except IntegrityError:
                continue
            return {
                "fact_id": str(fact.fact_id),
                "position": changes.positions[0],
                "relation_version": len(relation.facts),
                "recorded_at": rfc3339(fact.recorded_at),
            }
        raise TooMuchContention("the relation kept changing under this write; try again")

    def changes_for(self, relation: Relation, facts: list[Fact]) -> ViewChanges:
        """Record facts in the relation and compute the view rows they change."""
        before = relation.facts
        diff = RelationDiff(relation.id, relation.actor, relation.subject, build_timeline(before) if before else [])
        rows = []
        for fact in facts:
            timeline = relation.record(fact)
            diff.advance(timeline, fact.recorded_at)
            rows.append(FactRow(fact, relation.id, len(relation.facts)))
        changes = diff.finish()
        changes.facts = rows
        return changes

    def load_relation(self, actor: str, subject: str) -> Relation:
        try:
            return self.repository.get(Relation.create_id(actor, subject))  # type: ignore[return-value]
        except AggregateNotFoundError:
            return Relation(actor=actor, subject=subject)

    def receipt(self, fact: Fact) -> dict[str, Any]:
        body = self.fact_body(str(fact.fact_id))
        return {k: body[k] for k in ("fact_id", "position", "relation_version", "recorded_at")}

    def fact_body(self, fact_id: str) -> dict[str, Any]:
        """One fact as the audit log holds it, or NotFound."""
        try:
            key = str(UUID(str(fact_id)))
        except ValueError:
            raise NotFound("fact", str(fact_id)) from None
        body = self.view.fact(key)
        if body is None:
            raise NotFound("fact", key)
        return body


def _aliases(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 50:
        raise InvalidValue("aliases", "must be a list of at most 50 names")
    names = [clean_text(v, f"aliases[{i}]", limit=200, required=True) for i, v in enumerate(value)]
    return tuple(dict.fromkeys(n for n in names if n))


__all__ = ["Ledger", "Source"]
