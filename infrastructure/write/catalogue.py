"""Commands on the catalogue: subjects, their milestones, and registered actors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.actor import ActorKind, RegisteredActor, check_code
from domain.dates import EffectiveDate, parse_day
from domain.details import clean_sources, clean_text
from domain.errors import InvalidValue, RuleViolation
from domain.lifespan import Lifespan
from domain.subject import Milestone, MilestoneKind, Subject, SubjectKind, check_slug
from infrastructure.encoding.catalogue_bodies import actor_body, subject_body
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.encoding.transcodings import MilestoneAsDict
from infrastructure.errors import AlreadyExists, NotFound, TooMuchContention
from infrastructure.view.changes import ViewChanges
from infrastructure.write.inputs import Problems, enum_value, text_field, unknown_fields
from infrastructure.write_request import WriteRequest

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from uuid import UUID

    from eventsourcing.application import Repository

    from infrastructure.reference.actors import ActorCatalogue
    from infrastructure.store.idempotency import IdempotencyStore
    from infrastructure.view.reader import ViewReader


MAX_ATTEMPTS = 8  # writes tried again on an aggregate another write changed meanwhile


class CatalogueCommands:
    """Mixed into the Ledger application: registering who is recognised and who acts."""

    # Provided by the Ledger application this is mixed into.
    view: ViewReader
    answers: IdempotencyStore
    actors: ActorCatalogue
    clock: Callable[[], datetime]
    repository: Repository[UUID]
    save_once: Callable[..., dict[str, Any]]

    def register_subject(self, data: Mapping[str, Any], request: WriteRequest) -> dict[str, Any]:
        """Register a subject before facts are recorded about it."""
        done = self.answers.answer(request)
        if done is not None:
            return done
        problems = Problems()
        unknown_fields(data, {"id", "name", "kind", "territory", "aliases"}, problems)
        slug = problems.check(lambda: check_slug(data.get("id")))
        name = problems.check(lambda: clean_text(data.get("name"), "name", limit=200, required=True))
        kind = problems.check(lambda: enum_value(SubjectKind, data.get("kind"), "kind"))
        territory = problems.check(lambda: self.check_territory(data.get("territory")))
        aliases = problems.check(lambda: _aliases(data.get("aliases")))
        problems.raise_any()
        assert slug and name and kind
        if self.view.subject(slug) is not None:
            return self.answers.answered_or(request, AlreadyExists("subject", slug))
        subject = Subject(
            slug=slug,
            name=name,
            kind=kind,
            territory=territory,
            aliases=aliases or (),
            registered_at=self.clock(),
            registered_by=request.principal,
        )
        body = subject_body(subject)
        return self.save_once(subject, ViewChanges(subjects=[body]), request, body, AlreadyExists("subject", slug))

    def add_milestone(self, slug: str, data: Mapping[str, Any], request: WriteRequest) -> dict[str, Any]:
        """Record a dated, sourced milestone of a subject."""
        done = self.answers.answer(request)
        if done is not None:
            return done
        subject = self.load_subject(slug)
        now = self.clock()
        problems = Problems()
        unknown_fields(data, {"kind", "effective_on", "sources", "note"}, problems)
        kind = problems.check(lambda: enum_value(MilestoneKind, data.get("kind"), "kind"))
        effective = problems.check(
            lambda: EffectiveDate.parse(text_field(data.get("effective_on"), "effective_on"), today=now.date())
        )
        sources = problems.check(lambda: clean_sources(data.get("sources")))
        note = problems.check(lambda: clean_text(data.get("note"), "note"))
        problems.raise_any()
        assert kind and effective and sources
        milestone = Milestone(uuid4(), kind, effective, sources, note, now, request.principal)
        body = MilestoneAsDict().encode(milestone) | {"recorded_at": rfc3339(now)}
        for _ in range(MAX_ATTEMPTS):
            try:
                subject.add_milestone(milestone)
            except RuleViolation as refusal:  # perhaps a twin of this request recorded it meanwhile
                return self.answers.answered_or(request, refusal)
            try:
                return self.save_once(subject, ViewChanges(subjects=[subject_body(subject)]), request, body, None)
            except IntegrityError:  # another write to the subject came first: check again on it
                subject = self.load_subject(slug)
        raise TooMuchContention("the subject kept changing under this write; try again")

    def register_actor(self, data: Mapping[str, Any], request: WriteRequest) -> dict[str, Any]:
        """Register an organisation or entity that has no ISO 3166 code."""
        done = self.answers.answer(request)
        if done is not None:
            return done
        problems = Problems()
        unknown_fields(data, {"code", "name", "kind", "valid_from", "valid_to"}, problems)
        code = problems.check(lambda: check_code(data.get("code")))
        name = problems.check(lambda: clean_text(data.get("name"), "name", limit=200, required=True))
        kind = problems.check(lambda: enum_value(ActorKind, data.get("kind"), "kind"))
        first = problems.check(lambda: parse_day(data.get("valid_from"), "valid_from"))
        last = problems.check(lambda: parse_day(data.get("valid_to"), "valid_to"))
        problems.raise_any()
        lifespan = Lifespan.checked(first, last)
        assert code and name and kind
        if self.actors.known(code):
            return self.answers.answered_or(request, AlreadyExists("actor", code))
        actor = RegisteredActor(
            code=code,
            name=name,
            kind=kind,
            registered_at=self.clock(),
            valid_from=lifespan.first,
            valid_to=lifespan.last,
        )
        row = actor_body(actor)
        body = row | {"source": "registered"}
        return self.save_once(actor, ViewChanges(actors=[row]), request, body, AlreadyExists("actor", code))

    def load_subject(self, slug: str) -> Subject:
        try:
            return self.repository.get(Subject.create_id(slug))  # type: ignore[return-value]
        except AggregateNotFoundError:
            raise NotFound("subject", slug) from None

    def check_territory(self, code: Any) -> str | None:
        if code is None:
            return None
        if not isinstance(code, str) or not self.actors.is_territory(code):
            raise InvalidValue("territory", f"{code!r} is not an ISO 3166 alpha-3 code of a state, nor XKX (Kosovo)")
        return code


def _aliases(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 50:
        raise InvalidValue("aliases", "must be a list of at most 50 names")
    names = [clean_text(v, f"aliases[{i}]", limit=200, required=True) for i, v in enumerate(value)]
    return tuple(dict.fromkeys(n for n in names if n))
