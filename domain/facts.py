"""Facts: the immutable, sourced, dated events of a relation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from domain.dates import EffectiveDate


class FactType(Enum):
    """Every kind of fact a relation can hold."""

    RECOGNITION_GRANTED = "recognition_granted"
    RECOGNITION_WITHDRAWN = "recognition_withdrawn"
    RELATIONS_ESTABLISHED = "relations_established"
    RELATIONS_SEVERED = "relations_severed"
    AMBASSADOR_ACCEPTED = "ambassador_accepted"
    AMBASSADOR_EXPELLED = "ambassador_expelled"
    AMBASSADOR_SENT = "ambassador_sent"
    AMBASSADOR_RECALLED = "ambassador_recalled"
    MISSION_OPENED = "mission_opened"
    MISSION_CLOSED = "mission_closed"
    TERRORIST_LISTING_ADDED = "terrorist_listing_added"
    TERRORIST_LISTING_REMOVED = "terrorist_listing_removed"
    SANCTIONS_IMPOSED = "sanctions_imposed"
    SANCTIONS_LIFTED = "sanctions_lifted"
    STATEMENT_MADE = "statement_made"
    FACT_RETRACTED = "fact_retracted"
    FACT_DISPUTED = "fact_disputed"

    @property
    def is_correction(self) -> bool:
        """Retractions and disputes act in system time, not in valid time."""
        return self in (FactType.FACT_RETRACTED, FactType.FACT_DISPUTED)


class RecognitionForm(Enum):
    """De jure (full, formal) or de facto recognition."""

    DE_JURE = "de_jure"
    DE_FACTO = "de_facto"


class MissionKind(Enum):
    """Kinds of diplomatic or representative mission."""

    EMBASSY = "embassy"
    CONSULATE = "consulate"
    BUSINESS_OFFICE = "business_office"
    LIAISON_OFFICE = "liaison_office"
    OTHER = "other"


class Stance(Enum):
    """The stance of a statement toward the subject."""

    SUPPORTIVE = "supportive"
    CRITICAL = "critical"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Source:
    """Evidence for a fact: a public page, and optionally what it says."""

    url: str
    title: str | None = None
    publisher: str | None = None
    published_on: date | None = None
    quote: str | None = None


@dataclass(frozen=True)
class Fact:
    """One immutable fact of a relation, with the service's stamps.

    `details` holds plain JSON values, already checked by `domain.details`.
    """

    fact_id: UUID
    type: FactType
    actor: str
    subject: str
    effective_on: EffectiveDate
    details: dict[str, Any]
    sources: tuple[Source, ...]
    note: str | None
    recorded_at: datetime
    recorded_by: str

    @property
    def target(self) -> UUID | None:
        """The fact a retraction or dispute points at."""
        if self.type is FactType.FACT_RETRACTED:
            return UUID(self.details["retracts"])
        if self.type is FactType.FACT_DISPUTED:
            return UUID(self.details["disputes"])
        return None

    def same_claim(self, other: Fact) -> bool:
        """Same type, same date and same details: the duplicate rule's test."""
        return self.type is other.type and self.effective_on == other.effective_on and self.details == other.details
