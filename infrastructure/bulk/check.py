"""The stored facts that break a rule of domain/impossible_facts.py: recorded before the rule
existed, or imported from an older export. They are kept, as history; this finds them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.facts import FactType
from domain.impossible_facts import refusal
from domain.lifespan import Lifespan
from infrastructure.errors import NotFound
from infrastructure.store.event_reader import FACT_RECORDED, EventReader
from infrastructure.write.ledger import Ledger


@dataclass(frozen=True)
class StoredProblem:
    """A stored fact that could not be recorded today, and the rule it breaks."""

    fact_id: UUID
    actor: str
    subject: str
    type: str
    effective_on: str
    rule: str
    reason: str


def stored_problems(ledger: Ledger) -> tuple[list[StoredProblem], int]:
    """Every stored fact that breaks such a rule and is not retracted (a retraction is how one is
    corrected), in ledger order; and how many facts were read."""
    territories = {body["id"]: body.get("territory") for body in ledger.view.subjects()}
    found: list[StoredProblem] = []
    retracted: set[UUID] = set()
    count = 0
    for _, event in EventReader(ledger).events(topics=[FACT_RECORDED]):
        fact = event.fact
        count += 1
        if fact.type is FactType.FACT_RETRACTED:
            assert fact.target is not None
            retracted.add(fact.target)
        lifespan, territory = _lifespan(ledger, fact.actor), territories.get(fact.subject)
        broken = refusal(fact.type, fact.actor, fact.subject, fact.effective_on, lifespan, territory)
        if broken is not None:
            found.append(
                StoredProblem(
                    fact.fact_id,
                    fact.actor,
                    fact.subject,
                    fact.type.value,
                    str(fact.effective_on),
                    broken.rule,
                    broken.reason,
                )
            )
    return [p for p in found if p.fact_id not in retracted], count


def _lifespan(ledger: Ledger, actor: str) -> Lifespan:
    try:
        return ledger.actors.get(actor).lifespan
    except NotFound:  # a code an older catalogue knew: no lifespan to hold it to
        return Lifespan()
