"""Every rule of a relation, as a table: a history, a new fact, and the verdict."""

from typing import Any

import pytest

from domain.errors import RuleViolation
from tests.factories import dispute, fact, relation_with, retraction

F = tuple[str, str, dict[str, Any]]
G, W = "recognition_granted", "recognition_withdrawn"

CASES: list[tuple[str, list[F], F, str | None]] = [
    ("first recognition", [], (G, "2025-07-03", {}), None),
    ("withdrawal needs recognition", [], (W, "2001-09-25", {}), "not_in_force"),
    ("withdrawal after recognition", [(G, "1997-05", {})], (W, "2001-09-25", {}), None),
    ("same form again is a duplicate", [(G, "1997", {})], (G, "1999", {}), "duplicate"),
    ("upgrade de facto to de jure", [(G, "1997", {"form": "de_facto"})], (G, "1999", {}), None),
    ("regrant after withdrawal", [(G, "1997", {}), (W, "2001", {})], (G, "2025", {}), None),
    ("backdated withdrawal before the grant", [(G, "2000", {})], (W, "1999", {}), "not_in_force"),
    ("backdated grant breaks a later withdrawal", [(G, "2000", {}), (W, "2002", {})], (W, "2001", {}), "not_in_force"),
    ("backdated grant inside a recognition", [(G, "2000", {}), (W, "2002", {})], (G, "2001", {}), "duplicate"),
    ("backdated grant before it all", [(G, "2000", {}), (W, "2002", {})], (G, "1999", {}), "duplicate"),
    ("grant and withdrawal on one day, in order", [(G, "2001-01-01", {})], (W, "2001-01-01", {}), None),
    ("relations established", [], ("relations_established", "1990", {}), None),
    (
        "relations established twice",
        [("relations_established", "1990", {})],
        ("relations_established", "1991", {}),
        "duplicate",
    ),
    ("relations severed without relations", [], ("relations_severed", "1990", {}), "not_in_force"),
    (
        "relations severed after established",
        [("relations_established", "1990", {})],
        ("relations_severed", "1991", {}),
        None,
    ),
    ("envoy accepted", [], ("ambassador_accepted", "2024", {"name": "A"}), None),
    (
        "same envoy again",
        [("ambassador_accepted", "2024", {"name": "A"})],
        ("ambassador_accepted", "2025", {"name": "A"}),
        "duplicate",
    ),
    ("unnamed envoy again", [("ambassador_accepted", "2024", {})], ("ambassador_accepted", "2025", {}), "duplicate"),
    (
        "another envoy replaces",
        [("ambassador_accepted", "2024", {"name": "A"})],
        ("ambassador_accepted", "2025", {"name": "B"}),
        None,
    ),
    ("expelled without envoy", [], ("ambassador_expelled", "2025", {}), "not_in_force"),
    (
        "expelling a different envoy",
        [("ambassador_accepted", "2024", {"name": "A"})],
        ("ambassador_expelled", "2025", {"name": "B"}),
        "other_envoy",
    ),
    (
        "expelled the envoy",
        [("ambassador_accepted", "2024", {"name": "A"})],
        ("ambassador_expelled", "2025", {"name": "A"}),
        None,
    ),
    ("sent and recalled", [("ambassador_sent", "2024", {})], ("ambassador_recalled", "2025", {}), None),
    (
        "recalled without sending",
        [("ambassador_accepted", "2024", {})],
        ("ambassador_recalled", "2025", {}),
        "not_in_force",
    ),
    ("mission opened", [], ("mission_opened", "2023", {"kind": "business_office", "city": "Kabul"}), None),
    (
        "same mission opened twice",
        [("mission_opened", "2023", {"kind": "embassy", "city": "Kabul"})],
        ("mission_opened", "2024", {"kind": "embassy", "city": "Kabul"}),
        "duplicate",
    ),
    (
        "a second city is another mission",
        [("mission_opened", "2023", {"kind": "consulate", "city": "Herat"})],
        ("mission_opened", "2024", {"kind": "consulate", "city": "Mazar"}),
        None,
    ),
    (
        "closing a mission never opened",
        [("mission_opened", "2023", {"kind": "embassy", "city": "Kabul"})],
        ("mission_closed", "2024", {"kind": "embassy", "city": "Herat"}),
        "not_in_force",
    ),
    (
        "closing an open mission",
        [("mission_opened", "2023", {"kind": "embassy"})],
        ("mission_closed", "2024", {"kind": "embassy"}),
        None,
    ),
    (
        "listing added twice",
        [("terrorist_listing_added", "2003", {})],
        ("terrorist_listing_added", "2004", {}),
        "duplicate",
    ),
    ("listing removed without listing", [], ("terrorist_listing_removed", "2025-04-17", {}), "not_in_force"),
    (
        "listing removed",
        [("terrorist_listing_added", "2003-02-14", {})],
        ("terrorist_listing_removed", "2025-04-17", {}),
        None,
    ),
    (
        "sanctions per regime",
        [("sanctions_imposed", "1999", {"regime": "1267"})],
        ("sanctions_imposed", "2000", {"regime": "1333"}),
        None,
    ),
    (
        "same regime twice",
        [("sanctions_imposed", "1999", {"regime": "1267"})],
        ("sanctions_imposed", "2000", {"regime": "1267"}),
        "duplicate",
    ),
    (
        "lifting a regime not imposed",
        [("sanctions_imposed", "1999", {"regime": "1267"})],
        ("sanctions_lifted", "2000", {"regime": "1333"}),
        "not_in_force",
    ),
    (
        "statements any time",
        [("statement_made", "2024", {"stance": "critical", "quote": "no"})],
        ("statement_made", "2024", {"stance": "critical", "quote": "still no"}),
        None,
    ),
    (
        "same statement same day",
        [("statement_made", "2024-07-04", {"stance": "supportive", "quote": "allies"})],
        ("statement_made", "2024-07-04", {"stance": "supportive", "quote": "allies"}),
        "duplicate",
    ),
]


@pytest.mark.parametrize(("name", "history", "new", "verdict"), CASES, ids=[c[0] for c in CASES])
def test_rule_table(name: str, history: list[F], new: F, verdict: str | None) -> None:
    """Each rule accepts or refuses the new fact as the design says, naming the rule."""
    relation = relation_with(*(fact(t, d, **x) for t, d, x in history))
    before = list(relation.facts)
    candidate = fact(new[0], new[1], **new[2])
    if verdict is None:
        relation.record(candidate)
        assert relation.facts[-1] == candidate
        return
    with pytest.raises(RuleViolation) as refused:
        relation.record(candidate)
    assert refused.value.rule == verdict
    assert relation.facts == before, "a refused fact changes nothing"


def test_a_conflict_names_the_fact_it_clashes_with() -> None:
    """A duplicate names the standing fact; a broken later fact is named as itself."""
    grant = fact(G, "2000")
    withdraw = fact(W, "2002")
    relation = relation_with(grant, withdraw)
    with pytest.raises(RuleViolation) as duplicate:
        relation.record(fact(G, "2001"))
    assert duplicate.value.conflicting_fact_id == grant.fact_id
    with pytest.raises(RuleViolation) as broken:
        relation.record(fact(W, "2001"))
    assert broken.value.conflicting_fact_id == withdraw.fact_id
    assert str(withdraw.fact_id) in broken.value.reason


def test_a_retraction_needs_a_standing_fact_of_the_relation() -> None:
    """Retracting twice, or retracting a retraction, is refused; the first retraction is named."""
    grant = fact(G, "2000")
    relation = relation_with(grant)
    first = retraction(grant)
    relation.record(first)
    with pytest.raises(RuleViolation) as again:
        relation.record(retraction(grant, "again"))
    assert again.value.rule == "already_retracted"
    assert again.value.conflicting_fact_id == first.fact_id
    with pytest.raises(RuleViolation) as of_retraction:
        relation.record(retraction(first))
    assert of_retraction.value.rule == "not_correctable"


def test_a_retraction_that_would_orphan_a_later_fact_is_refused() -> None:
    """Retracting a grant that a withdrawal depends on is refused: retract the withdrawal first."""
    grant, withdraw = fact(G, "2000"), fact(W, "2002")
    relation = relation_with(grant, withdraw)
    with pytest.raises(RuleViolation) as refused:
        relation.record(retraction(grant))
    assert refused.value.conflicting_fact_id == withdraw.fact_id
    assert "retract the dependent fact first" in refused.value.reason
    relation.record(retraction(withdraw))
    relation.record(retraction(grant))
    assert len(relation.facts) == 4


def test_a_retracted_fact_can_be_recorded_again() -> None:
    """After a retraction, the same claim is no longer a duplicate."""
    grant = fact(G, "2000")
    relation = relation_with(grant, retraction(grant))
    relation.record(fact(G, "2000"))
    assert relation.facts[-1].type.value == G


def test_disputes_need_a_standing_recorded_fact() -> None:
    """A dispute of a retracted fact, or of a dispute, is refused; the same dispute twice is a duplicate."""
    grant, other = fact(G, "2000"), fact("relations_established", "1999")
    relation = relation_with(grant, other, retraction(other))
    first = dispute(grant)
    relation.record(first)
    with pytest.raises(RuleViolation) as twice:
        relation.record(dispute(grant))
    assert twice.value.rule == "duplicate"
    with pytest.raises(RuleViolation) as of_dispute:
        relation.record(dispute(first))
    assert of_dispute.value.rule == "not_correctable"
    with pytest.raises(RuleViolation) as of_retracted:
        relation.record(dispute(other))
    assert of_retracted.value.rule == "already_retracted"


def test_system_time_must_move_forward_within_a_relation() -> None:
    """A fact stamped before the relation's last fact is refused (imports keep order)."""
    first = fact(G, "2000")
    earlier = fact("relations_established", "1999")
    relation = relation_with(first)
    stale = earlier.__class__(**{**earlier.__dict__, "recorded_at": first.recorded_at})
    with pytest.raises(RuleViolation) as refused:
        relation.record(stale)
    assert refused.value.rule == "system_time_order"


def test_a_copied_relation_takes_facts_without_changing_the_original() -> None:
    """The cached relation is handed out as a copy: a command on the copy leaves the original as it was."""
    from copy import deepcopy

    original = relation_with(fact("recognition_granted", "2021-08-15"))
    original.collect_events()  # as stored
    before = (list(original.facts), original.timeline, original.version)
    copy = deepcopy(original)
    copy.record(fact("recognition_withdrawn", "2022-01-01"))
    assert (list(original.facts), original.timeline, original.version) == before
    assert len(copy.facts) == 2 and copy.version == original.version + 1
    assert len(copy.collect_events()) == 1 and not original.collect_events()
