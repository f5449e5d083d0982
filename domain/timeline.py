"""The one fold: facts -> valid-time timeline of statuses, refusing broken rules.

The aggregate calls it to refuse bad facts, the read model to build its rows,
and replay to answer audits. Facts are given in the order they were recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import groupby, pairwise
from uuid import UUID

from domain.dates import EARLIEST, END_OF_TIME
from domain.errors import RuleViolation
from domain.facts import Fact, FactType
from domain.status import Envoy, Listing, Mission, Recognition, Relations, Sanction, Status

T = FactType


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
    retracted, disputed = corrections(facts)
    standing = [f for f in facts if f.fact_id not in retracted]
    _check_duplicates(standing, new_fact)
    dated = sorted((f for f in standing if not f.type.is_correction), key=lambda f: f.effective_on.start)
    walk = _Walk(new_fact)
    changes: list[tuple[date, Status]] = []
    for day, same_day in groupby(dated, key=lambda f: f.effective_on.start):
        for fact in same_day:
            walk.apply(fact)
        changes.append((day, walk.status))
    intervals = _intervals(changes)
    return _merge(_mark(intervals, {f.fact_id: f for f in dated}, disputed))


def status_on(timeline: Sequence[Interval], day: date) -> Status:
    """The status on a valid date (the empty status before any fact)."""
    for interval in timeline:
        if interval.covers(day):
            return interval.status
    return Status()


def _check_duplicates(standing: Sequence[Fact], new_fact: UUID | None) -> None:
    seen: list[Fact] = []
    for fact in standing:
        twin = next((s for s in seen if s.same_claim(fact)), None)
        if twin is not None:
            other = twin.fact_id if fact.fact_id == new_fact else fact.fact_id
            raise RuleViolation(
                "duplicate",
                f"{fact.type.value} on {fact.effective_on} with the same details "
                f"is already recorded (fact {twin.fact_id})",
                other,
            )
        seen.append(fact)


def _intervals(changes: list[tuple[date, Status]]) -> list[Interval]:
    bounds = [day for day, _ in changes] + [END_OF_TIME]
    out = [Interval(EARLIEST, bounds[0], Status())] if bounds[0] > EARLIEST else []
    out += [Interval(day, bounds[i + 1], status) for i, (day, status) in enumerate(changes)]
    return out


def _mark(intervals: list[Interval], by_id: dict[UUID, Fact], disputed: set[UUID]) -> list[Interval]:
    """Split intervals where an imprecise basis date's period ends; set the flags."""
    out: list[Interval] = []
    for iv in intervals:
        basis = [by_id[i] for i in iv.status.basis]
        ends = sorted({f.effective_on.end for f in basis if not f.effective_on.is_exact} | {iv.valid_from, iv.valid_to})
        for start, end in pairwise(ends):
            if not iv.valid_from <= start < end <= iv.valid_to:
                continue
            approximate = any(not f.effective_on.is_exact and start < f.effective_on.end for f in basis)
            flagged = replace(
                iv.status,
                approximate=approximate,
                disputed=any(f.fact_id in disputed for f in basis),
            )
            out.append(Interval(start, end, flagged))
    return out


def _merge(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for iv in intervals:
        if out and out[-1].status == iv.status and out[-1].valid_to == iv.valid_from:
            out[-1] = Interval(out[-1].valid_from, iv.valid_to, iv.status)
        else:
            out.append(iv)
    return out


class _Walk:
    """Applies facts one by one in timeline order, keeping the running status."""

    def __init__(self, new_fact: UUID | None) -> None:
        self.status = Status()
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
        self.status = replace(self.status, **changes)  # type: ignore[arg-type]

    def _recognition_granted(self, f: Fact) -> None:
        cur, form = self.status.recognition, f.details.get("form", "de_jure")
        if cur.state == "recognised" and cur.form == form:
            raise self.refuse(f, "duplicate", f"already recognised ({form}) since {cur.since}", cur.fact_id)
        self._set(recognition=Recognition("recognised", form, f.effective_on.start, f.fact_id))

    def _recognition_withdrawn(self, f: Fact) -> None:
        cur = self.status.recognition
        if cur.state != "recognised":
            raise self.refuse(f, "not_in_force", "needs recognition in force on its date", cur.fact_id)
        self._set(recognition=Recognition("not_recognised", None, f.effective_on.start, f.fact_id))

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
