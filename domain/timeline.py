"""The one fold: facts -> valid-time timeline of statuses, refusing broken rules.

The aggregate calls it to refuse bad facts, the read model to build its rows,
and replay to answer audits. Facts are given in the order they were recorded.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from uuid import UUID

from domain.cache import IdentityCache
from domain.dates import EARLIEST, END_OF_TIME, EffectiveDate
from domain.errors import RuleViolation
from domain.facts import Fact, FactType
from domain.status import Envoy, Listing, Mission, Recognition, Relations, Sanction, Status

T = FactType
EMPTY = Status()  # before any fact; immutable, so one will do


@dataclass(frozen=True)
class Interval:
    """A status that holds from `valid_from` up to, not including, `valid_to`."""

    valid_from: date
    valid_to: date
    status: Status

    def covers(self, day: date) -> bool:
        return self.valid_from <= day < self.valid_to


def corrections(facts: Sequence[Fact]) -> tuple[set[UUID], set[UUID]]:
    """The ids of retracted facts, and of disputed facts whose dispute still stands."""
    retracted = {f.target for f in facts if f.type is T.FACT_RETRACTED}
    disputed = {f.target for f in facts if f.type is T.FACT_DISPUTED and f.fact_id not in retracted}
    return retracted, disputed  # type: ignore[return-value]


def build_timeline(facts: Sequence[Fact], new_fact: UUID | None = None) -> list[Interval]:
    """Fold a relation's facts into contiguous intervals covering all valid time.

    Raises RuleViolation if any fact breaks a rule in the order of the timeline;
    `new_fact` tells which one is being added, so the error can name the other.
    """
    return list(Fold.of(facts, new_fact).timeline)


def status_on(timeline: Sequence[Interval], day: date) -> Status:
    """The status on a valid date (the empty status before any fact)."""
    for interval in timeline:
        if interval.covers(day):
            return interval.status
    return Status()


Claim = tuple[FactType, EffectiveDate, tuple[tuple[str, str], ...]]


def claim(fact: Fact) -> Claim:
    """What the duplicate rule compares: type, date and details."""
    return (fact.type, fact.effective_on, tuple(sorted((k, str(v)) for k, v in fact.details.items())))


@dataclass(frozen=True)
class Fold:
    """A relation's timeline with the walk behind it, so it can be extended fact by fact.

    `Fold.of(facts)` folds everything; `fold.plus(fact)` gives the same result as
    `Fold.of([*fold.facts, fact])` but walks again, and rebuilds intervals, only from
    where the new fact falls in valid time.
    """

    facts: tuple[Fact, ...] = ()
    dated: tuple[Fact, ...] = ()  # standing facts that act in valid time, in walk order
    starts: tuple[date, ...] = ()  # their effective starts, for bisecting
    after: tuple[Status, ...] = ()  # the running status after each of them
    claims: Mapping[Claim, Fact] = field(default_factory=dict)
    disputed: frozenset[UUID] = frozenset()
    by_id: dict[UUID, Fact] = field(default_factory=dict)  # grows only; shared by successive folds
    imprecise: frozenset[UUID] = frozenset()  # dated facts known only to the month or year
    shape: _Shape | None = None

    @property
    def timeline(self) -> tuple[Interval, ...]:
        return self.shape.timeline if self.shape else ()

    @classmethod
    def of(cls, facts: Sequence[Fact], new_fact: UUID | None = None) -> Fold:
        retracted, disputed = corrections(facts)
        standing = [f for f in facts if f.fact_id not in retracted]
        claims = _check_duplicates(standing, new_fact)
        dated = tuple(sorted((f for f in standing if f.type in ACTING), key=lambda f: f.effective_on.start))
        walk, after = _Walk(new_fact), []
        for fact in dated:
            walk.apply(fact)
            after.append(walk.status)
        starts = tuple(f.effective_on.start for f in dated)
        by_id = {f.fact_id: f for f in dated}
        frozen = frozenset(disputed)
        imprecise = frozenset(f.fact_id for f in dated if not f.effective_on.is_exact)
        shape = _Shape.build(None, 0, tuple(dict.fromkeys(starts)), starts, after, by_id, frozen, imprecise)
        return cls(tuple(facts), dated, starts, tuple(after), claims, frozen, by_id, imprecise, shape)

    def plus(self, fact: Fact) -> Fold:
        """The fold with one more fact; raises RuleViolation as `Fold.of` would."""
        if self.shape is None:
            return Fold.of([*self.facts, fact], fact.fact_id)
        key = claim(fact)
        twin = self.claims.get(key)
        if twin is not None:
            raise _duplicate(fact, twin, twin.fact_id)
        if fact.type.is_correction:
            return self._corrected(fact, key)
        if fact.type not in ACTING:  # a statement: part of the record, not of the status
            return self._kept(fact, {**self.claims, key: fact}, self.disputed)
        start = fact.effective_on.start
        k = bisect_right(self.starts, start)
        walk = _Walk(fact.fact_id)
        if k:
            walk.status = self.after[k - 1]
        dated = (*self.dated[:k], fact, *self.dated[k:])
        after = list(self.after[:k])
        for later in dated[k:]:
            walk.apply(later)
            after.append(walk.status)
        starts = (*self.starts[:k], start, *self.starts[k:])
        self.by_id[fact.fact_id] = fact
        days = self.shape.days
        i = bisect_left(days, start)
        if i == len(days) or days[i] != start:
            days, first_slot = (*days[:i], start, *days[i:]), i
        else:
            first_slot = i + 1
        imprecise = self.imprecise if fact.effective_on.is_exact else self.imprecise | {fact.fact_id}
        shape = _Shape.build(self.shape, first_slot, days, starts, after, self.by_id, self.disputed, imprecise)
        claims = {**self.claims, key: fact}
        facts = (*self.facts, fact)
        return Fold(facts, dated, starts, tuple(after), claims, self.disputed, self.by_id, imprecise, shape)

    def _corrected(self, fact: Fact, key: Claim) -> Fold:
        """A retraction or dispute: re-walk and rebuild only from the day of the fact it touches."""
        assert self.shape is not None
        target = next((f for f in self.facts if f.fact_id == fact.target), None)
        claims = {**self.claims, key: fact}
        if target is not None and target.type is T.FACT_RETRACTED:
            target = None  # not something the rules allow; let the full fold decide
        if target is not None and target.type is T.FACT_DISPUTED:  # a retracted dispute
            claims.pop(claim(target), None)
            disputed_id = target.target
            retracted = {f.target for f in self.facts if f.type is T.FACT_RETRACTED}
            still = any(
                f.type is T.FACT_DISPUTED and f.target == disputed_id and f is not target and f.fact_id not in retracted
                for f in self.facts
            )
            disputed = self.disputed if still else self.disputed - {disputed_id}  # type: ignore[operator]
            if disputed_id not in self.by_id:  # a disputed statement: no status rests on it
                return self._kept(fact, claims, disputed)
            return self._reshaped(fact, claims, disputed, self.by_id.get(disputed_id))  # type: ignore[arg-type]
        if target is not None and target.type not in ACTING:  # a statement: the timeline stays
            if fact.type is T.FACT_RETRACTED:
                claims.pop(claim(target), None)
                return self._kept(fact, claims, self.disputed)
            return self._kept(fact, claims, self.disputed | {target.fact_id})
        k = next((i for i, f in enumerate(self.dated) if f is target), None)
        if target is None or k is None:
            return Fold.of([*self.facts, fact], fact.fact_id)
        if fact.type is T.FACT_DISPUTED:
            return self._reshaped(fact, claims, self.disputed | {target.fact_id}, target)
        # A retracted dated fact: walk again without it from where it stood.
        claims.pop(claim(target), None)
        walk = _Walk(fact.fact_id)
        if k:
            walk.status = self.after[k - 1]
        dated = (*self.dated[:k], *self.dated[k + 1 :])
        after = list(self.after[:k])
        for later in dated[k:]:
            walk.apply(later)
            after.append(walk.status)
        starts = (*self.starts[:k], *self.starts[k + 1 :])
        days = tuple(dict.fromkeys(starts))
        first_slot = bisect_left(self.shape.days, target.effective_on.start)
        imprecise = self.imprecise - {target.fact_id}
        shape = _Shape.build(self.shape, first_slot, days, starts, after, self.by_id, self.disputed, imprecise)
        facts = (*self.facts, fact)
        return Fold(facts, dated, starts, tuple(after), claims, self.disputed, self.by_id, imprecise, shape)

    def _kept(self, fact: Fact, claims: Mapping[Claim, Fact], disputed: frozenset[UUID]) -> Fold:
        """One more fact that leaves the walk and the intervals as they are."""
        # Not dataclasses.replace(): it checks every field, each time.
        dated, starts, after, shape = self.dated, self.starts, self.after, self.shape
        return Fold((*self.facts, fact), dated, starts, after, claims, disputed, self.by_id, self.imprecise, shape)

    def _reshaped(self, fact: Fact, claims: dict[Claim, Fact], disputed: frozenset[UUID], target: Fact | None) -> Fold:
        """Same walk, other dispute flags: rebuild intervals from the disputed fact's day on."""
        assert self.shape is not None
        first_slot = 0
        if target is not None:
            # A fact no longer standing has no slot; then only the last one is rebuilt.
            first_slot = min(bisect_left(self.shape.days, target.effective_on.start) + 1, len(self.shape.days))
        shape = _Shape.build(
            self.shape, first_slot, self.shape.days, self.starts, self.after, self.by_id, disputed, self.imprecise
        )
        facts = (*self.facts, fact)
        return Fold(facts, self.dated, self.starts, self.after, claims, disputed, self.by_id, self.imprecise, shape)


@dataclass(frozen=True)
class _Shape:
    """Intervals by slot (slot 0 before the first day, slot i+1 from day i), flagged and merged.

    The merge state before each slot is kept, so later slots can be rebuilt alone.
    """

    days: tuple[date, ...]
    pieces: tuple[tuple[Interval, ...], ...]
    merged_len: tuple[int, ...]
    merged_last: tuple[Interval | None, ...]
    timeline: tuple[Interval, ...]

    @classmethod
    def build(
        cls,
        old: _Shape | None,
        first: int,
        days: tuple[date, ...],
        starts: Sequence[date],
        after: Sequence[Status],
        by_id: dict[UUID, Fact],
        disputed: frozenset[UUID],
        imprecise: frozenset[UUID],
    ) -> _Shape:
        """Keep `old`'s slots before `first`; rebuild the rest from the walk."""
        count = len(days)
        if old is None:
            first = 0
        pieces = list(old.pieces[:first]) if old else []
        merged_len = list(old.merged_len[:first]) if old else []
        merged_last = list(old.merged_last[:first]) if old else []
        out: list[Interval] = []
        if old is not None:
            out = list(old.timeline[: old.merged_len[first]])
            last = old.merged_last[first]
            if out and last is not None:
                out[-1] = last
        for slot in range(first, count + 1):
            end = days[slot] if slot < count else END_OF_TIME
            if slot == 0:
                raw = Interval(EARLIEST, end, EMPTY) if end > EARLIEST else None
            else:
                status = after[bisect_right(starts, days[slot - 1]) - 1]
                raw = Interval(days[slot - 1], end, status)
            marked = _mark(raw, by_id, disputed, imprecise) if raw is not None else ()
            merged_len.append(len(out))
            merged_last.append(out[-1] if out else None)
            pieces.append(marked)
            for piece in marked:
                if out and out[-1].valid_to == piece.valid_from and out[-1].status == piece.status:
                    out[-1] = Interval(out[-1].valid_from, piece.valid_to, piece.status)
                else:
                    out.append(piece)
        return cls(days, tuple(pieces), tuple(merged_len), tuple(merged_last), tuple(out))


def _check_duplicates(standing: Sequence[Fact], new_fact: UUID | None) -> dict[Claim, Fact]:
    seen: dict[Claim, Fact] = {}
    for fact in standing:
        key = claim(fact)
        twin = seen.get(key)
        if twin is not None:
            raise _duplicate(fact, twin, twin.fact_id if fact.fact_id == new_fact else fact.fact_id)
        seen[key] = fact
    return seen


def _duplicate(fact: Fact, twin: Fact, other: UUID) -> RuleViolation:
    return RuleViolation(
        "duplicate",
        f"{fact.type.value} on {fact.effective_on} with the same details is already recorded (fact {twin.fact_id})",
        other,
    )


def _mark(
    iv: Interval, by_id: dict[UUID, Fact], disputed: frozenset[UUID], imprecise: frozenset[UUID]
) -> tuple[Interval, ...]:
    """Split an interval where an imprecise basis date's period ends; set the flags."""
    status = iv.status
    disputed_facts = disputed & status.basis_set if disputed else NONE
    ends = _imprecise_ends(status, by_id) if imprecise else ()  # no imprecise fact: nothing to split
    if not ends:  # the common case: nothing to split
        if disputed_facts:
            return (Interval(iv.valid_from, iv.valid_to, _flagged(status, NONE, disputed_facts)),)
        return (iv,)
    points = sorted({e for e, _ in ends if iv.valid_from < e < iv.valid_to} | {iv.valid_from, iv.valid_to})
    return tuple(
        Interval(a, b, _flagged(status, frozenset(i for e, i in ends if a < e), disputed_facts))
        for a, b in pairwise(points)
    )


NONE: frozenset[UUID] = frozenset()
# Both answers below depend on the status alone (its basis facts are fixed), and the fold asks
# again about the same status when it rebuilds intervals, as for a dispute.
_IMPRECISE_ENDS_CACHE: IdentityCache[Status, tuple[tuple[date, UUID], ...]] = IdentityCache(1 << 11)
_FLAGGED_CACHE: IdentityCache[Status, dict[tuple[frozenset[UUID], frozenset[UUID]], Status]] = IdentityCache(1 << 11)


def _imprecise_ends(status: Status, by_id: dict[UUID, Fact]) -> tuple[tuple[date, UUID], ...]:
    """Where the periods of the basis facts known only to the month or year end, with each fact, in order."""
    cached = _IMPRECISE_ENDS_CACHE.get(status)
    if cached is None:
        dated = [(by_id[i].effective_on, i) for i in status.basis]
        cached = _IMPRECISE_ENDS_CACHE.put(status, tuple(sorted((d.end, i) for d, i in dated if not d.is_exact)))
    return cached


def _flagged(status: Status, approximate: frozenset[UUID], disputed: frozenset[UUID]) -> Status:
    """The status with these facts flagged, the same object each time it is asked for while kept."""
    if not approximate and not disputed:
        return status
    variants = _FLAGGED_CACHE.get(status)
    if variants is None:
        variants = _FLAGGED_CACHE.put(status, {})
    found = variants.get((approximate, disputed))
    if found is None:
        flagged = status.evolve(
            approximate=bool(approximate),
            disputed=bool(disputed),
            approximate_facts=approximate,
            disputed_facts=disputed,
        )
        found = variants.setdefault((approximate, disputed), flagged)
    return found


class _Walk:
    """Applies facts one by one in timeline order, keeping the running status."""

    def __init__(self, new_fact: UUID | None) -> None:
        self.status = EMPTY
        self.new_fact = new_fact

    def refuse(self, fact: Fact, rule: str, why: str, holder: UUID | None) -> RuleViolation:
        where = f"{fact.type.value} on {fact.effective_on}"
        if fact.fact_id == self.new_fact:
            return RuleViolation(rule, f"{where}: {why}", holder)
        return RuleViolation(
            rule,
            f"the timeline would break at fact {fact.fact_id} ({where}): {why}",
            fact.fact_id,
        )

    def apply(self, fact: Fact) -> None:
        handler = getattr(self, f"_{fact.type.value}", None)
        if handler is not None:
            handler(fact)

    def _set(self, **changes: object) -> None:
        self.status = self.status.evolve(**changes)

    def _recognition_granted(self, f: Fact) -> None:
        cur, form = self.status.recognition, f.details.get("form", "de_jure")
        if cur.state == "recognised" and cur.form == form:
            raise self.refuse(f, "duplicate", f"already recognised ({form}) since {cur.since}", cur.fact_id)
        on = f.effective_on
        self._set(recognition=Recognition("recognised", form, on.start, f.fact_id, on.precision.value))

    def _recognition_withdrawn(self, f: Fact) -> None:
        cur = self.status.recognition
        if cur.state != "recognised":
            raise self.refuse(f, "not_in_force", "needs recognition in force on its date", cur.fact_id)
        on = f.effective_on
        self._set(recognition=Recognition("not_recognised", None, on.start, f.fact_id, on.precision.value))

    def _relations_established(self, f: Fact) -> None:
        cur = self.status.relations
        if cur.state == "established":
            raise self.refuse(f, "duplicate", f"relations already established since {cur.since}", cur.fact_id)
        self._set(relations=Relations("established", f.effective_on.start, f.fact_id))

    def _relations_severed(self, f: Fact) -> None:
        cur = self.status.relations
        if cur.state != "established":
            raise self.refuse(f, "not_in_force", "needs relations established on its date", cur.fact_id)
        self._set(relations=Relations("severed", f.effective_on.start, f.fact_id))

    def _envoy_in(self, f: Fact, slot: str) -> None:
        cur: Envoy = getattr(self.status, slot)
        name = f.details.get("name")
        if cur.active and cur.name == name:
            who = f" ({name})" if name else ""
            raise self.refuse(f, "duplicate", f"an envoy{who} is already active since {cur.since}", cur.fact_id)
        self._set(**{slot: Envoy(True, name, f.effective_on.start, f.fact_id)})

    def _envoy_out(self, f: Fact, slot: str) -> None:
        cur: Envoy = getattr(self.status, slot)
        name = f.details.get("name")
        if not cur.active:
            raise self.refuse(f, "not_in_force", "needs an active envoy on its date", cur.fact_id)
        if name and cur.name and name != cur.name:
            raise self.refuse(f, "other_envoy", f"names {name}, but the active envoy is {cur.name}", cur.fact_id)
        self._set(**{slot: Envoy(False, None, f.effective_on.start, f.fact_id)})

    def _ambassador_accepted(self, f: Fact) -> None:
        self._envoy_in(f, "ambassador_accepted")

    def _ambassador_expelled(self, f: Fact) -> None:
        self._envoy_out(f, "ambassador_accepted")

    def _ambassador_sent(self, f: Fact) -> None:
        self._envoy_in(f, "ambassador_sent")

    def _ambassador_recalled(self, f: Fact) -> None:
        self._envoy_out(f, "ambassador_sent")

    def _mission_opened(self, f: Fact) -> None:
        kind, city = f.details["kind"], f.details.get("city")
        open_ = next((m for m in self.status.missions if (m.kind, m.city) == (kind, city)), None)
        if open_ is not None:
            raise self.refuse(
                f, "duplicate", f"a {_mission(kind, city)} is already open since {open_.since}", open_.fact_id
            )
        mission = Mission(kind, city, f.effective_on.start, f.fact_id)
        self._set(missions=(*self.status.missions, mission))

    def _mission_closed(self, f: Fact) -> None:
        kind, city = f.details["kind"], f.details.get("city")
        rest = tuple(m for m in self.status.missions if (m.kind, m.city) != (kind, city))
        if len(rest) == len(self.status.missions):
            opened = ", ".join(_mission(m.kind, m.city) for m in self.status.missions) or "none"
            raise self.refuse(
                f, "not_in_force", f"no {_mission(kind, city)} is open on its date (open: {opened})", None
            )
        self._set(missions=rest)

    def _terrorist_listing_added(self, f: Fact) -> None:
        cur = self.status.terrorist_listed
        if cur.active:
            raise self.refuse(f, "duplicate", f"already listed since {cur.since}", cur.fact_id)
        self._set(terrorist_listed=Listing(True, f.effective_on.start, f.details.get("list"), f.fact_id))

    def _terrorist_listing_removed(self, f: Fact) -> None:
        cur = self.status.terrorist_listed
        if not cur.active:
            raise self.refuse(f, "not_in_force", "needs a listing in force on its date", cur.fact_id)
        self._set(terrorist_listed=Listing(False, f.effective_on.start, None, f.fact_id))

    def _sanctions_imposed(self, f: Fact) -> None:
        regime = f.details["regime"]
        cur = next((s for s in self.status.sanctions if s.regime == regime), None)
        if cur is not None:
            raise self.refuse(
                f, "duplicate", f"sanctions regime {regime!r} already active since {cur.since}", cur.fact_id
            )
        sanction = Sanction(regime, f.effective_on.start, f.fact_id)
        self._set(sanctions=(*self.status.sanctions, sanction))

    def _sanctions_lifted(self, f: Fact) -> None:
        regime = f.details["regime"]
        rest = tuple(s for s in self.status.sanctions if s.regime != regime)
        if len(rest) == len(self.status.sanctions):
            raise self.refuse(f, "not_in_force", f"sanctions regime {regime!r} is not active on its date", None)
        self._set(sanctions=rest)


def _mission(kind: str, city: str | None) -> str:
    return f"{kind} in {city}" if city else kind


# The fact types that change a status in valid time; the others (statements) are only recorded.
ACTING = frozenset(t for t in FactType if hasattr(_Walk, f"_{t.value}"))
