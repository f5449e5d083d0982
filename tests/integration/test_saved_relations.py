"""A write starts from the relation as its process last saved it; another process may have moved on.

Two services on one database stand for two server processes. Whatever the first one kept, its
writes land on the relation as stored, and its refusals are about the relation as stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from domain.errors import RuleViolation
from infrastructure.bootstrap import Services
from infrastructure.errors import PreconditionFailed
from infrastructure.requests import WriteRequest
from tests.conftest import Clock, database, services_for

SRC = [{"url": "https://example.org/x"}]


def fact(type_: str, on: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "actor": "RUS", "subject": "taliban-iea", "effective_on": on, "sources": SRC}
    if details:
        body["details"] = details
    return body


@pytest.fixture
def two(backend: str, tmp_path, clock: Clock) -> Iterator[tuple[Services, Services]]:  # type: ignore[no-untyped-def]
    with database(backend, str(tmp_path)) as url:
        one, other = services_for(url, clock), services_for(url, clock)
        try:
            one.ledger.register_subject(
                {"id": "taliban-iea", "name": "Islamic Emirate", "kind": "government"}, WriteRequest("ed")
            )
            yield one, other
        finally:
            one.close()
            other.close()


def recognised_by(services: Services, on: str) -> list[str]:
    answer = services.queries.recognitions("taliban-iea", date.fromisoformat(on))
    return [r["actor"] for r in answer["recognised_by"]]


def test_a_write_after_another_process_wrote_lands_on_the_stored_relation(
    two: tuple[Services, Services], clock: Clock
) -> None:
    one, other = two
    one.ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    clock.advance(seconds=1)
    other.ledger.record_fact(fact("recognition_withdrawn", "2025-06-15"), WriteRequest("ed"))
    clock.advance(seconds=1)
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
    one.ledger.record_fact(fact("recognition_granted", "2025-06-01", form="de_jure"), WriteRequest("ed"))
    clock.advance(seconds=1)
    other.ledger.record_fact(fact("recognition_withdrawn", "2025-06-15"), WriteRequest("ed"))
    clock.advance(seconds=1)
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
