"""The Relation aggregate: one actor toward one subject, and its facts."""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleViolation, UnknownFact
from domain.facts import Fact, FactType
from domain.timeline import Fold, Interval, corrections

NAMESPACE = uuid5(NAMESPACE_URL, "https://recognition-ledger.invalid/ids")


class Relation(Aggregate):
    """The facts of one actor toward one subject, kept consistent by the rules."""

    @staticmethod
    @lru_cache(maxsize=65536)  # uuid5 hashes each time; an import asks once per fact
    def create_id(actor: str, subject: str) -> UUID:
        """Deterministic, so a relation is found without a lookup table."""
        return uuid5(NAMESPACE, f"relation/{actor}/{subject}")

    @event("Opened")
    def __init__(self, actor: str, subject: str) -> None:
        self.actor = actor
        self.subject = subject
        self.facts: list[Fact] = []
        self._fold: Fold | None = Fold()

    @property
    def fold(self) -> Fold:
        """The fold of every fact. After a replay it is made once, when first asked for:
        one walk over all the facts instead of one extension per fact."""
        if self._fold is None:
            self._fold = Fold.of(self.facts)
        return self._fold

    def caught_up(self, events: Iterable[Any]) -> Relation:
        """A copy with stored events it lacked applied (this one is left as it is).

        Its fold is this one's extended by their facts, not made again from every fact when
        next asked for: `plus` gives what `Fold.of` gives, and stored facts passed the rules.
        """
        copy: Relation = project(deepcopy(self), events)
        fold = self._fold
        if fold is None or copy._fold is not None:
            return copy
        try:
            for fact in copy.facts[len(fold.facts) :]:
                fold = fold.plus(fact)
        except RuleViolation:  # cannot happen to stored facts; the full fold would then decide
            return copy
        copy._fold = fold
        return copy

    def record(self, fact: Fact) -> list[Interval]:
        """Add a fact if the whole timeline still obeys every rule; return the new timeline."""
        self.check_belongs(fact)
        self.check_recorded_after_last(fact.recorded_at)
        if fact.type.is_correction:
            self.check_correction(fact)
        checked = self.check_timeline(fact)
        self._fact_recorded(fact)
        self._fold = checked  # the fold made while checking the fact, not walked again
        return list(checked.timeline)

    def __deepcopy__(self, memo: dict[int, Any]) -> Relation:
        """A copy that can take new facts without touching this one.

        Facts and folds are immutable, so only the lists that grow are copied: a cached
        relation is handed out this way for each command, at a cost that does not grow
        with its history.
        """
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.facts = list(self.facts)
        copy._pending_events = list(self._pending_events)
        return copy

    @property
    def timeline(self) -> list[Interval]:
        """The current timeline, kept up to date as facts are recorded."""
        return list(self.fold.timeline)

    def find(self, fact_id: UUID) -> Fact:
        """The fact with this id, or UnknownFact."""
        for fact in self.facts:
            if fact.fact_id == fact_id:
                return fact
        raise UnknownFact(fact_id)

    @property
    def last_recorded_at(self) -> datetime | None:
        return self.facts[-1].recorded_at if self.facts else None

    def check_belongs(self, fact: Fact) -> None:
        if (fact.actor, fact.subject) != (self.actor, self.subject):
            raise ValueError("fact recorded in the wrong relation")  # a programming error

    def check_recorded_after_last(self, recorded_at: datetime) -> None:
        last = self.last_recorded_at
        if last is not None and recorded_at <= last:
            raise RuleViolation(
                "system_time_order",
                f"recorded_at {recorded_at.isoformat()} is not after the relation's last fact ({last.isoformat()})",
                self.facts[-1].fact_id,
            )

    def check_correction(self, fact: Fact) -> None:
        assert fact.target is not None
        target = self.find(fact.target)
        retracted, _ = corrections(self.facts)
        if target.fact_id in retracted:
            by = next(f.fact_id for f in self.facts if f.target == target.fact_id and f.type is FactType.FACT_RETRACTED)
            raise RuleViolation("already_retracted", f"fact {target.fact_id} is already retracted", by)
        if target.type.is_correction and (
            fact.type is FactType.FACT_DISPUTED or target.type is FactType.FACT_RETRACTED
        ):
            raise RuleViolation(
                "not_correctable",
                f"fact {target.fact_id} is of type {target.type.value}; "
                "it cannot be " + ("disputed" if fact.type is FactType.FACT_DISPUTED else "retracted"),
                target.fact_id,
            )

    def check_timeline(self, fact: Fact) -> Fold:
        try:
            return self.fold.plus(fact)
        except RuleViolation as broken:
            if fact.type is not FactType.FACT_RETRACTED:
                raise
            raise RuleViolation(
                broken.rule,
                f"without fact {fact.target}, {broken.reason}; retract the dependent fact first",
                broken.conflicting_fact_id,
            ) from None

    @event("FactRecorded")
    def _fact_recorded(self, fact: Fact) -> None:
        self.facts.append(fact)
        # Stored facts are folded together, when first needed; record() keeps the fold it checked.
        self._fold = None


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's project_aggregate() without its per-event `isinstance(event, Protocol)`
    assertion: typing's runtime protocol check costs more than decoding the event. Every
    stored event here can mutate."""
    for stored in events:
        aggregate = stored.mutate(aggregate)
    return aggregate
