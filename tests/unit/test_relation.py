"""The relation keeps the fold it made while checking a fact; a replayed one folds when asked."""

from __future__ import annotations

from typing import Any

import pytest

from domain.relation import Relation
from domain.timeline import Fold
from tests.factories import dispute, fact


def test_recording_keeps_the_fold_that_checked_the_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    relation = Relation(actor="RUS", subject="taliban-iea")
    relation.record(fact("recognition_granted", "2000"))
    checked: list[Fold] = []
    check = relation.check_timeline

    def spy(f: Any) -> Fold:
        checked.append(check(f))
        return checked[-1]

    monkeypatch.setattr(relation, "check_timeline", spy)
    monkeypatch.setattr(Fold, "of", classmethod(lambda *_: pytest.fail("folded again")))
    grant = relation.facts[0]
    for f in (fact("ambassador_accepted", "2001", name="A"), dispute(grant), fact("relations_established", "1999")):
        timeline = relation.record(f)
        assert relation.fold is checked[-1]
        assert relation.fold.facts == tuple(relation.facts)
        assert timeline == list(checked[-1].timeline)


def test_a_replayed_relation_folds_its_facts_when_first_asked() -> None:
    live = Relation(actor="RUS", subject="taliban-iea")
    grant = fact("recognition_granted", "2000")
    for f in (grant, fact("ambassador_accepted", "2001", name="A"), dispute(grant)):
        live.record(f)
    replayed = None
    for event in live.collect_events():
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Relation)
    assert replayed.__dict__["_fold"] is None, "stored facts are folded together, when needed"
    assert replayed.timeline == live.timeline
    assert replayed.fold.facts == tuple(live.facts)
