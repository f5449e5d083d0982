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


def older_export() -> list[str]:
    """Lines of an export made before the ledger refused impossible facts: Kosovo with its territory,
    an actor registered without a lifespan, SUN and XKX recognising Kosovo (each breaks a rule
    now), and Albania's recognition (which breaks none)."""
    import json

    at = "2026-01-01T10:00:00.000000Z"
    subject = {"record": "subject", "id": "kosovo", "name": "Republic of Kosovo", "kind": "state"}
    subject |= {"territory": "XKX", "aliases": [], "registered_at": at, "registered_by": "data"}
    actor = {"record": "actor", "code": "OIC", "name": "Organisation of Islamic Cooperation", "kind": "organisation"}
    actor |= {"registered_at": at}
    facts = [
        (SUN_KOSOVO, "SUN", "2008-02-17"),
        (XKX_KOSOVO, "XKX", "2008-02-17"),
        (ALB_KOSOVO, "ALB", "2008-02-18"),
    ]
    lines = [subject, actor]
    for position, (fact_id, actor_code, on) in enumerate(facts, start=1):
        lines.append(
            {
                "record": "fact",
                "fact_id": str(fact_id),
                "type": "recognition_granted",
                "actor": actor_code,
                "subject": "kosovo",
                "effective_on": on,
                "details": {"form": "de_jure"},
                "sources": [{"url": "https://example.org/older"}],
                "note": None,
                "recorded_at": f"2026-01-01T10:00:0{position}.000000+00:00",
                "recorded_by": "data",
                "position": position,
                "relation_version": 1,
            }
        )
    return [json.dumps(line, sort_keys=True) for line in lines]


SUN_KOSOVO, XKX_KOSOVO, ALB_KOSOVO = uuid4(), uuid4(), uuid4()
