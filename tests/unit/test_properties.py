"""Property tests: the aggregate and the fold against a brute-force reference."""

from __future__ import annotations

from contextlib import suppress
from copy import deepcopy
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.facts import Fact
from domain.relation import Relation
from domain.timeline import build_timeline, status_on
from tests import reference
from tests.factories import dispute, fact, retraction
from tests.strategies import operations

PROBE_DAYS = [
    date(1998, 12, 31),
    date(1999, 6, 1),
    date(2000, 1, 1),
    date(2000, 3, 14),
    date(2000, 3, 15),
    date(2000, 3, 31),
    date(2000, 4, 1),
    date(2000, 12, 31),
    date(2001, 6, 15),
    date(2001, 7, 1),
    date(2002, 1, 1),
    date(2030, 1, 1),
]


def summarise(status) -> dict:  # type: ignore[no-untyped-def, type-arg]
    rec = status.recognition
    return {
        "recognised": rec.state == "recognised",
        "form": rec.form,
        "level": status.level,
        "hostile": status.hostile,
        "envoys": (
            status.ambassador_accepted.active and status.ambassador_accepted.name,
            status.ambassador_sent.active and status.ambassador_sent.name,
        ),
        "missions": sorted(((m.kind, m.city) for m in status.missions), key=str),
        "sanctions": sorted(s.regime for s in status.sanctions),
        "basis": sorted(str(i) for i in status.basis),
        "approximate": status.approximate,
        "disputed": status.disputed,
    }


def play(ops: list) -> Relation:  # type: ignore[type-arg]
    """Apply operations; each must be accepted exactly when the reference says it is valid."""
    relation = Relation(actor="RUS", subject="taliban-iea")
    for n, op in enumerate(ops):
        candidate = _candidate(relation, op, n)
        if candidate is None:
            continue
        expected_ok = reference.valid([*relation.facts, candidate]) and not _correction_refused(relation, candidate)
        try:
            relation.record(candidate)
            accepted = True
        except RuleViolation:
            accepted = False
        # The incremental fold the aggregate keeps equals a full fold of its facts.
        assert relation.timeline == (build_timeline(relation.facts) if relation.facts else [])
        assert accepted == expected_ok, (op, [(f.type.value, str(f.effective_on), f.details) for f in relation.facts])
    return relation


def _candidate(relation: Relation, op, n: int) -> Fact | None:  # type: ignore[no-untyped-def]
    if op[0] == "record":
        return fact(op[1], op[2], **op[3])
    # Retractions may hit disputes too; disputes only hit facts.
    kinds = ("fact_retracted",) if op[0] == "retract" else ("fact_retracted", "fact_disputed")
    targets = [f for f in relation.facts if f.type.value not in kinds]
    if not targets:
        return None
    target = targets[op[1] % len(targets)]
    # Two reasons only: repeated disputes of one fact are sometimes duplicates, sometimes not.
    return retraction(target) if op[0] == "retract" else dispute(target, f"reason {n % 2}")


def _correction_refused(relation: Relation, candidate) -> bool:  # type: ignore[no-untyped-def]
    """Corrections of an already retracted fact are refused; a second same dispute is a duplicate."""
    if not candidate.type.is_correction:
        return False
    target = str(candidate.target)
    retracted = {str(f.details["retracts"]) for f in relation.facts if f.type.value == "fact_retracted"}
    if target in retracted:
        return True
    if candidate.type.value == "fact_disputed":
        return any(
            f.type.value == "fact_disputed" and f.details == candidate.details and str(f.fact_id) not in retracted
            for f in relation.facts
        )
    return False


@settings(max_examples=300, deadline=None)
@given(operations)
def test_the_aggregate_refuses_exactly_the_facts_that_break_a_rule(ops) -> None:  # type: ignore[no-untyped-def]
    """Every random fact is accepted if and only if the brute-force reference finds the history valid."""
    play(ops)


@settings(max_examples=300, deadline=None)
@given(operations, st.sampled_from(PROBE_DAYS))
def test_status_on_any_date_equals_the_reference_fold(ops, day) -> None:  # type: ignore[no-untyped-def]
    """The timeline's status on a date equals the brute-force status of the same facts."""
    relation = play(ops)
    facts = relation.facts
    expected = reference.summary(facts, day)
    actual = summarise(status_on(build_timeline(facts), day)) if facts else expected
    assert actual == expected


@settings(max_examples=200, deadline=None)
@given(operations, operations)
def test_a_replayed_relation_takes_further_facts_as_the_live_one_does(before, after) -> None:  # type: ignore[no-untyped-def]
    """Loaded from its events (folded once, as a whole), a relation accepts and refuses each further
    fact exactly as the relation that recorded them fact by fact, and keeps the same timeline."""
    live = play(before)
    replayed: Any = None
    for event in live.collect_events():
        replayed = event.mutate(replayed)
    assert replayed.timeline == live.timeline
    for n, op in enumerate(after):
        candidate = _candidate(live, op, n)
        if candidate is None:
            continue
        outcomes: list[object] = []
        for relation in (live, replayed):
            try:
                relation.record(candidate)
                outcomes.append("accepted")
            except RuleViolation as refused:
                outcomes.append((refused.rule, refused.conflicting_fact_id))
        assert outcomes[0] == outcomes[1], (op, outcomes)
        assert replayed.timeline == live.timeline


@settings(max_examples=200, deadline=None)
@given(operations, operations)
def test_a_copy_caught_up_with_stored_events_is_the_relation_that_recorded_them(before, after) -> None:  # type: ignore[no-untyped-def]
    """A copy behind the stored relation, caught up with the events it lacked, has the stored
    relation's facts and timeline, its fold extended (not made again), and the copy is unchanged."""
    behind = play(before)
    behind.collect_events()
    stored = deepcopy(behind)
    for n, op in enumerate(after):  # what another process recorded since
        candidate = _candidate(stored, op, n)
        if candidate is not None:
            with suppress(RuleViolation):
                stored.record(candidate)
    lacked = stored.collect_events()
    caught_up = behind.caught_up(lacked)
    assert caught_up.__dict__["_fold"] is not None, "extended, not left to a full fold when next asked"
    assert caught_up.facts == stored.facts
    assert caught_up.version == stored.version
    assert caught_up.timeline == (build_timeline(stored.facts) if stored.facts else [])
    assert behind.version == stored.version - len(lacked), "the copy caught up from is left as it was"
    assert behind.fold.facts == tuple(behind.facts)
