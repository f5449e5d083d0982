"""A write starts from the relation as its process last saved it; another process may have moved on.

Two services on one database stand for two server processes. Whatever the first one kept, its
writes land on the relation as stored, and its refusals are about the relation as stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from domain.dates import EffectiveDate, Precision
from domain.errors import RuleViolation
from domain.facts import Fact, FactType, Source
from domain.relation import Relation
from infrastructure.bootstrap import Services
from infrastructure.errors import Overtaken, PreconditionFailed
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock, database, services_for

SRC = [{"url": "https://example.org/x"}]


def fact(type_: str, on: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "actor": "RUS", "subject": "taliban-iea", "effective_on": on, "sources": SRC}
    if details:
        body["details"] = details
    return body


@contextmanager
def two_services(backend: str, tmp_dir: str, clock: Clock) -> Iterator[tuple[Services, Services]]:
    """Two services on one new database, the subject registered."""
    with database(backend, tmp_dir) as url:
        one, other = services_for(url, clock), services_for(url, clock)
        try:
            one.ledger.register_subject(
                {"id": "taliban-iea", "name": "Islamic Emirate", "kind": "government"}, WriteRequest("ed")
            )
            yield one, other
        finally:
            one.close()
            other.close()


@pytest.fixture
def two(backend: str, tmp_path, clock: Clock) -> Iterator[tuple[Services, Services]]:  # type: ignore[no-untyped-def]
    with two_services(backend, str(tmp_path), clock) as pair:
        yield pair


def withdrawn_behind_ones_back(one: Services, other: Services, clock: Clock) -> None:
    """`one` records a grant and keeps its copy; `other` then withdraws it, so `one`'s copy is behind."""
    one.ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    clock.advance(seconds=1)
    other.ledger.record_fact(fact("recognition_withdrawn", "2025-06-15"), WriteRequest("ed"))
    clock.advance(seconds=1)


def recognised_by(services: Services, on: str) -> list[str]:
    answer = services.queries.recognitions("taliban-iea", date.fromisoformat(on))
    return [r["actor"] for r in answer["recognised_by"]]


def test_a_write_after_another_process_wrote_lands_on_the_stored_relation(
    two: tuple[Services, Services], clock: Clock
) -> None:
    one, other = two
    withdrawn_behind_ones_back(one, other, clock)
    # On `one`'s own copy RUS still recognises: granting again would be a duplicate there.
    receipt = one.ledger.record_fact(fact("recognition_granted", "2025-07-01", form="de_jure"), WriteRequest("ed"))
    assert receipt["relation_version"] == 3
    assert recognised_by(one, "2025-06-10") == ["RUS"]
    assert recognised_by(one, "2025-06-20") == []
    assert recognised_by(other, "2025-07-04") == ["RUS"]
    relation = one.queries.relation("RUS", "taliban-iea")
    assert [f["type"] for f in relation["facts"]] == [
        "recognition_granted",
        "recognition_withdrawn",
        "recognition_granted",
    ]


def test_a_refusal_is_about_the_stored_relation_not_the_copy(two: tuple[Services, Services], clock: Clock) -> None:
    one, other = two
    withdrawn_behind_ones_back(one, other, clock)
    # Fine on `one`'s copy (recognition in force), refused on the stored relation.
    with pytest.raises(RuleViolation) as refused:
        one.ledger.record_fact(fact("recognition_withdrawn", "2025-06-15"), WriteRequest("ed"))
    assert refused.value.rule == "duplicate"
    assert one.queries.relation("RUS", "taliban-iea")["relation_version"] == 2


def test_if_match_is_checked_against_the_stored_version(two: tuple[Services, Services], clock: Clock) -> None:
    one, other = two
    one.ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    clock.advance(seconds=1)
    other.ledger.record_fact(fact("statement_made", "2025-06-10", stance="neutral", quote="q"), WriteRequest("ed"))
    clock.advance(seconds=1)
    with pytest.raises(PreconditionFailed) as stale:
        one.ledger.record_fact(
            fact("statement_made", "2025-06-11", stance="neutral", quote="r"), WriteRequest("ed", expected_version=1)
        )
    assert (stale.value.expected, stale.value.actual) == (1, 2)
    receipt = one.ledger.record_fact(
        fact("statement_made", "2025-06-11", stance="neutral", quote="r"), WriteRequest("ed", expected_version=2)
    )
    assert receipt["relation_version"] == 3


@pytest.fixture
def two_on_postgres(tmp_path, clock: Clock) -> Iterator[tuple[Services, Services]]:  # type: ignore[no-untyped-def]
    with two_services("postgres", str(tmp_path), clock) as pair:
        yield pair


def no_loading(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("the relation was loaded from the store")

    monkeypatch.setattr(services.ledger, "load_relation", refuse)


@pytest.mark.postgres
def test_an_overtaken_write_catches_up_from_the_stores_answer_without_loading(
    two_on_postgres: tuple[Services, Services], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = two_on_postgres
    withdrawn_behind_ones_back(one, other, clock)
    no_loading(one, monkeypatch)
    # Fine on `one`'s copy and on the stored relation: written there, after the withdrawal.
    receipt = one.ledger.record_fact(
        fact("statement_made", "2025-06-20", stance="neutral", quote="q"), WriteRequest("ed")
    )
    assert receipt["relation_version"] == 3
    assert recognised_by(one, "2025-06-10") == ["RUS"]
    assert recognised_by(one, "2025-06-20") == []
    # Fine on the copy, a duplicate of what `other` wrote since: refused, about the stored relation.
    clock.advance(seconds=1)
    other.ledger.record_fact(fact("statement_made", "2025-07-01", stance="neutral", quote="r"), WriteRequest("ed"))
    clock.advance(seconds=1)
    with pytest.raises(RuleViolation) as refused:
        one.ledger.record_fact(fact("statement_made", "2025-07-01", stance="neutral", quote="r"), WriteRequest("ed"))
    assert refused.value.rule == "duplicate"
    assert one.queries.relation("RUS", "taliban-iea")["relation_version"] == 4


@pytest.mark.postgres
def test_a_relation_the_process_does_not_hold_is_tried_as_new(
    two_on_postgres: tuple[Services, Services], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = two_on_postgres
    no_loading(other, monkeypatch)
    # New to the store too: written as new, without asking the store first.
    first = other.ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    assert first["relation_version"] == 1
    monkeypatch.undo()
    clock.advance(seconds=1)
    # `one` has never seen it: tried as new, answered with the stored history, checked on it.
    with pytest.raises(RuleViolation) as refused:
        one.ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    assert refused.value.rule == "duplicate"
    three = services_for(one.settings.database_url, clock)
    try:
        # Refused as new (a withdrawal with no grant), accepted on the stored relation.
        receipt = three.ledger.record_fact(fact("recognition_withdrawn", "2025-06-15"), WriteRequest("ed"))
    finally:
        three.close()
    assert receipt["relation_version"] == 2
    assert recognised_by(one, "2025-06-10") == ["RUS"]
    assert recognised_by(one, "2025-06-20") == []
    assert one.queries.relation("RUS", "taliban-iea")["relation_version"] == 2


@pytest.mark.postgres
def test_a_write_of_versions_already_stored_writes_nothing(
    two_on_postgres: tuple[Services, Services], clock: Clock
) -> None:
    one, other = two_on_postgres
    ledger = one.ledger
    ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    partly, wholly = ledger.load_relation("RUS", "taliban-iea"), ledger.load_relation("RUS", "taliban-iea")
    clock.advance(seconds=1)
    other.ledger.record_fact(fact("statement_made", "2025-06-10", stance="neutral", quote="q"), WriteRequest("ed"))
    before, events = held(one), ledger.recorder.max_notification_id()

    def write(copy: Any, *quotes: str) -> None:
        facts = []
        for quote in quotes:
            clock.advance(seconds=1)
            facts.append(statement(copy, clock, quote))
        changes = ledger.changes_for(copy, facts)
        ledger.rows.prepare(changes)
        ledger.save(copy, view_changes=changes)

    # Versions 3 (stored by `other`) and 4 (not): refused as a whole, as the unique key would.
    with pytest.raises(IntegrityError) as refused:
        write(partly, "a", "b")
    assert not isinstance(refused.value, Overtaken)
    # Version 3 only: nothing written, and the answer is the stored events from version 3 on.
    with pytest.raises(Overtaken) as overtaken:
        write(wholly, "c")
    assert [(e.originator_version, e.topic.endswith("FactRecorded")) for e in overtaken.value.missing] == [(3, True)]
    assert held(one) == before
    assert ledger.recorder.max_notification_id() == events


def held(services: Services) -> dict[str, Any]:
    """The relation as the view holds it, without the moment it was asked."""
    answer = services.queries.relation("RUS", "taliban-iea")
    answer.pop("recorded_at")
    return answer


def statement(relation: Any, clock: Clock, quote: str) -> Fact:
    return Fact(
        uuid4(),
        FactType.STATEMENT_MADE,
        relation.actor,
        relation.subject,
        EffectiveDate(date(2025, 6, 11), Precision.DAY),
        {"stance": "neutral", "quote": quote},
        (Source("https://example.org/x"),),
        None,
        clock(),
        "ed",
    )


def test_a_held_copy_is_only_replaced_by_a_later_one(two: tuple[Services, Services], clock: Clock) -> None:
    """Two writes of one relation in one process may finish in either order: the later version stays held."""
    one, _ = two
    ledger = one.ledger
    ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    clock.advance(seconds=1)
    ledger.record_fact(fact("statement_made", "2025-06-10", stance="neutral", quote="q"), WriteRequest("ed"))
    rid = Relation.create_id("RUS", "taliban-iea")
    latest = ledger.held.get(rid)
    assert latest is not None and latest.version == 3
    earlier = ledger.repository.get(rid, version=2)
    ledger.held.keep(earlier)  # type: ignore[arg-type]
    assert ledger.held.get(rid) is latest
    clock.advance(seconds=1)
    ledger.record_fact(fact("statement_made", "2025-06-11", stance="neutral", quote="r"), WriteRequest("ed"))
    newest = ledger.held.get(rid)
    assert newest is not None and newest.version == 4, "a later version replaces the copy held"
    ledger.held.keep(latest)
    assert ledger.held.get(rid) is newest
