"""Facts that cannot be true whatever else the ledger holds: an actor acting toward a subject whose
territory is the actor itself, or acting on a date outside its lifespan.

Retractions and disputes are never refused here: they are how a fact stored before these rules,
or wrongly, is corrected.
"""

from __future__ import annotations

from domain.dates import EffectiveDate
from domain.errors import RuleViolation
from domain.facts import FactType
from domain.lifespan import Lifespan

OWN_TERRITORY = "acts_toward_own_territory"


def refusal(
    fact_type: FactType,
    actor: str,
    subject: str,
    effective: EffectiveDate,
    lifespan: Lifespan,
    territory: str | None,
) -> RuleViolation | None:
    """The rule such a fact breaks, or None."""
    if fact_type.is_correction:
        return None
    if territory is not None and territory == actor:
        return RuleViolation(OWN_TERRITORY, f"{actor} is the territory of {subject}: an actor cannot act toward itself")
    return lifespan.refusal(actor, effective)


def check_possible(
    fact_type: FactType,
    actor: str,
    subject: str,
    effective: EffectiveDate,
    lifespan: Lifespan,
    territory: str | None,
) -> None:
    """Raise the RuleViolation of `refusal`, if any."""
    broken = refusal(fact_type, actor, subject, effective, lifespan, territory)
    if broken is not None:
        raise broken
