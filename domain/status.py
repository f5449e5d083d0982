"""What a relation's facts add up to on one valid date."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from functools import cached_property
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Recognition:
    """Whether the actor recognises the subject, and in which form."""

    state: str = "not_recognised"
    form: str | None = None
    since: date | None = None
    fact_id: UUID | None = None
    since_precision: str | None = None  # day, month or year: how precisely `since` is known

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            state=self.state,
            form=self.form,
            since=_iso(self.since),
            since_precision=self.since_precision,
            fact_id=_str(self.fact_id),
        )


@dataclass(frozen=True)
class Relations:
    """Diplomatic relations: established, severed or none."""

    state: str = "none"
    since: date | None = None
    fact_id: UUID | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(state=self.state, since=_iso(self.since), fact_id=_str(self.fact_id))


@dataclass(frozen=True)
class Envoy:
    """An ambassador accepted or sent, or the lack of one."""

    active: bool = False
    name: str | None = None
    since: date | None = None
    fact_id: UUID | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(active=self.active, name=self.name, since=_iso(self.since), fact_id=_str(self.fact_id))


@dataclass(frozen=True)
class Mission:
    """An open mission of a kind, in a city if known."""

    kind: str
    city: str | None
    since: date
    fact_id: UUID

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(kind=self.kind, city=self.city, since=_iso(self.since), fact_id=str(self.fact_id))


@dataclass(frozen=True)
class Listing:
    """The actor's terrorist listing of the subject."""

    active: bool = False
    since: date | None = None
    list: str | None = None
    fact_id: UUID | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(active=self.active, since=_iso(self.since), list=self.list, fact_id=_str(self.fact_id))


@dataclass(frozen=True)
class Sanction:
    """A sanctions regime in force."""

    regime: str
    since: date
    fact_id: UUID

    def to_dict(self) -> dict[str, Any]:
        return {"regime": self.regime, "since": self.since.isoformat(), "fact_id": str(self.fact_id)}


Part = Recognition | Relations | Envoy | Mission | Listing | Sanction  # each gives its JSON shape: to_dict()


@dataclass(frozen=True)
class Status:
    """The status of one relation on one valid date, as known at one system time."""

    recognition: Recognition = field(default_factory=Recognition)
    relations: Relations = field(default_factory=Relations)
    ambassador_accepted: Envoy = field(default_factory=Envoy)
    ambassador_sent: Envoy = field(default_factory=Envoy)
    missions: tuple[Mission, ...] = ()
    terrorist_listed: Listing = field(default_factory=Listing)
    sanctions: tuple[Sanction, ...] = ()
    approximate: bool = False
    disputed: bool = False
    # Which of the basis facts make it so: a part is approximate or disputed when its fact is.
    approximate_facts: frozenset[UUID] = frozenset()
    disputed_facts: frozenset[UUID] = frozenset()

    def __hash__(self) -> int:
        # Statuses are compared and hashed often (view diffs, caches); computed once, kept here.
        cached: int | None = self.__dict__.get("_cached_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, name) for name in _FIELDS))
            object.__setattr__(self, "_cached_hash", cached)
        return cached

    def __getstate__(self) -> dict[str, Any]:
        """The fields alone: what is kept here is worked out again (a hash differs between processes)."""
        return {name: self.__dict__[name] for name in _FIELDS}

    def evolve(self, **changes: Any) -> Status:
        """A copy with some fields changed: `dataclasses.replace` without its per-call checks.

        The fold makes one status per fact it walks, so this is on the hot path.
        """
        new = object.__new__(Status)
        values = {name: self.__dict__[name] for name in _FIELDS}
        values.update(changes)
        new.__dict__.update(values)
        return new

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every part, in the order of the basis."""
        return (
            self.recognition,
            self.relations,
            self.ambassador_accepted,
            self.ambassador_sent,
            *self.missions,
            self.terrorist_listed,
            *self.sanctions,
        )

    @cached_property
    def basis(self) -> tuple[UUID, ...]:
        """The facts that decide this status: the "why"."""
        return tuple(p.fact_id for p in self.parts if p.fact_id is not None)  # each fact decides one part: no repeats

    @cached_property
    def basis_set(self) -> frozenset[UUID]:
        return frozenset(self.basis)

    @property
    def level(self) -> str:
        """recognised, de_facto, engaged or none, as the design defines them."""
        rec = self.recognition
        if rec.state == "recognised" and rec.form == "de_jure":
            return "recognised"
        if (
            rec.state == "recognised"
            or self.ambassador_accepted.active
            or self.ambassador_sent.active
            or any(m.kind == "embassy" for m in self.missions)
        ):
            return "de_facto"
        if self.relations.state == "established" or self.missions:
            return "engaged"
        return "none"

    @property
    def hostile(self) -> bool:
        return self.terrorist_listed.active or bool(self.sanctions)

    def flags(self, part: Part) -> dict[str, bool]:
        """The part's own `approximate` and `disputed`, where true (answers read absent as false)."""
        fact_id = part.fact_id
        if fact_id is None:
            return {}
        flags = {}
        if fact_id in self.approximate_facts:
            flags["approximate"] = True
        if fact_id in self.disputed_facts:
            flags["disputed"] = True
        return flags

    def part_dict(self, part: Part) -> dict[str, Any]:
        """A part's JSON shape, with its own flags."""
        return part.to_dict() | self.flags(part)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the design's status."""
        part = self.part_dict
        return {
            "recognition": part(self.recognition),
            "relations": part(self.relations),
            "ambassador_accepted": part(self.ambassador_accepted),
            "ambassador_sent": part(self.ambassador_sent),
            "missions": [part(m) for m in self.missions],
            "terrorist_listed": part(self.terrorist_listed),
            "sanctions": [part(s) for s in self.sanctions],
            "level": self.level,
            "hostile": self.hostile,
            "approximate": self.approximate,
            "disputed": self.disputed,
            "basis": [str(p.fact_id) for p in self.parts if p.fact_id is not None],  # not cached: a value stays as made
        }


_FIELDS = tuple(f.name for f in fields(Status))
FLAGS = ("approximate", "disputed")  # a part's flags, shown where true


def _drop_none(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _str(value: UUID | None) -> str | None:
    return str(value) if value else None
