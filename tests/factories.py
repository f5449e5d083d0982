"""Small builders that keep tests short; no database needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.dates import EffectiveDate
from domain.facts import Fact, FactType, Source

TODAY = date(2026, 1, 1)
SOURCE = (Source("https://example.org/report"),)
_clock = [datetime(2026, 1, 1, tzinfo=UTC)]


def tick() -> datetime:
    _clock[0] += timedelta(seconds=1)
    return _clock[0]


def fact(
    type_: str, on: str, actor: str = "RUS", subject: str = "taliban-iea", fact_id: UUID | None = None, **details: Any
) -> Fact:
    """A fact of the given type and date (YYYY-MM-DD, YYYY-MM or YYYY)."""
    kind = FactType(type_)
    if kind is FactType.RECOGNITION_GRANTED:
        details.setdefault("form", "de_jure")
    return Fact(
        fact_id or uuid4(),
        kind,
        actor,
        subject,
        EffectiveDate.parse(on, today=TODAY),
        details,
        SOURCE,
        None,
        tick(),
        "tester",
    )


def retraction(target: Fact, reason: str = "wrong") -> Fact:
    return fact(
        "fact_retracted", "2025-12-31", target.actor, target.subject, retracts=str(target.fact_id), reason=reason
    )


def dispute(target: Fact, reason: str = "doubtful") -> Fact:
    return fact(
        "fact_disputed", "2025-12-31", target.actor, target.subject, disputes=str(target.fact_id), reason=reason
    )


def relation_with(*facts: Fact) -> Any:
    from domain.relation import Relation

    r = Relation(actor=facts[0].actor if facts else "RUS", subject="taliban-iea")
    for f in facts:
        r.record(f)
    return r


def new_id() -> UUID:
    return uuid4()
