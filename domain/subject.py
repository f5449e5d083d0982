"""The Subject aggregate: a government or would-be state, and its milestones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.dates import EffectiveDate
from domain.errors import InvalidValue, RuleViolation
from domain.facts import Source
from domain.relation import NAMESPACE

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class SubjectKind(Enum):
    """What sort of thing is recognised."""

    GOVERNMENT = "government"
    STATE = "state"
    ORGANISATION = "organisation"


class MilestoneKind(Enum):
    """Events in a subject's own life that mark timelines but change no status."""

    TOOK_POWER = "took_power"
    LOST_POWER = "lost_power"
    DECLARED_INDEPENDENCE = "declared_independence"
    DISSOLVED = "dissolved"
    RENAMED = "renamed"


@dataclass(frozen=True)
class Milestone:
    """A dated, sourced milestone of a subject."""

    milestone_id: UUID
    kind: MilestoneKind
    effective_on: EffectiveDate
    sources: tuple[Source, ...]
    note: str | None
    recorded_at: datetime
    recorded_by: str


def check_slug(slug: object) -> str:
    """A subject id: lower-case words joined by hyphens, at most 64 characters."""
    if not isinstance(slug, str) or len(slug) > 64 or not SLUG.match(slug):
        raise InvalidValue("id", f"{slug!r} is not a slug like 'taliban-iea' (a-z, 0-9, hyphens)")
    return slug


class Subject(Aggregate):
    """Who is recognised: registered once, before facts are recorded about it."""

    @staticmethod
    def create_id(slug: str) -> UUID:
        return uuid5(NAMESPACE, f"subject/{slug}")

    @event("Registered")
    def __init__(
        self,
        slug: str,
        name: str,
        kind: SubjectKind,
        territory: str | None,
        aliases: tuple[str, ...],
        registered_at: datetime,
        registered_by: str,
    ) -> None:
        self.slug = slug
        self.name = name
        self.kind = kind
        self.territory = territory
        self.aliases = aliases
        self.registered_at = registered_at
        self.registered_by = registered_by
        self.milestones: list[Milestone] = []

    def add_milestone(self, milestone: Milestone) -> None:
        """Record a milestone unless the same kind is already on that date."""
        for known in self.milestones:
            if (known.kind, known.effective_on) == (milestone.kind, milestone.effective_on):
                raise RuleViolation(
                    "duplicate",
                    f"{milestone.kind.value} on {milestone.effective_on} is already recorded",
                    known.milestone_id,
                )
        self._milestone_recorded(milestone)

    @event("MilestoneRecorded")
    def _milestone_recorded(self, milestone: Milestone) -> None:
        self.milestones.append(milestone)
