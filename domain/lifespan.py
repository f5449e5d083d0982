"""The days on which an actor exists and so can act: a historic state until it ceased, a registered
actor between the dates an admin gave it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.dates import EffectiveDate
from domain.errors import InvalidValue, RuleViolation

BEFORE_START = "before_actor_existed"
AFTER_END = "after_actor_ceased"


@dataclass(frozen=True)
class Lifespan:
    """From `first` to `last`, both days included; None leaves that side open."""

    first: date | None = None
    last: date | None = None

    @classmethod
    def checked(cls, first: date | None, last: date | None) -> Lifespan:
        """A lifespan from a client's dates: the end may not come before the start."""
        if first is not None and last is not None and last < first:
            raise InvalidValue("valid_to", f"{last.isoformat()} is before valid_from ({first.isoformat()})")
        return cls(first, last)

    @property
    def bounded(self) -> bool:
        return self.first is not None or self.last is not None

    def refusal(self, actor: str, effective: EffectiveDate) -> RuleViolation | None:
        """Why `actor` cannot have acted on `effective`, or None.

        A fact known only to the month or year is refused only when no day of that period lies
        within the lifespan: the evidence allows any day of it.
        """
        if self.last is not None and effective.start > self.last:
            return RuleViolation(
                AFTER_END, f"{actor} exists until {self.last.isoformat()}; the fact is dated {effective}"
            )
        last_day = effective.end - timedelta(days=1)
        if self.first is not None and last_day < self.first:
            return RuleViolation(
                BEFORE_START, f"{actor} exists from {self.first.isoformat()}; the fact is dated {effective}"
            )
        return None
