"""Effective dates with day, month or year precision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from domain.errors import InvalidValue

EARLIEST = date(1500, 1, 1)
END_OF_TIME = date(9999, 12, 31)

_FORMS = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class Precision(Enum):
    """How precisely an effective date is known."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class EffectiveDate:
    """A date as precise as the evidence: `2025-07-03`, `2025-04` or `1997`.

    An imprecise date takes effect from the first day of its period.
    """

    start: date
    precision: Precision

    @classmethod
    def parse(cls, text: str, *, today: date, field: str = "effective_on") -> EffectiveDate:
        """Read the textual form; refuse impossible, too early or future dates."""
        match = _FORMS.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise InvalidValue(field, f"{text!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = match.groups()
        precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
        try:
            start = date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            raise InvalidValue(field, f"{text!r} is not a real date") from None
        parsed = cls(start, precision)
        parsed.check_within(today, field)
        return parsed

    def check_within(self, today: date, field: str) -> None:
        """Refuse a date before 1500-01-01 or one whose period starts after today."""
        if self.start < EARLIEST:
            raise InvalidValue(field, f"{self} is before {EARLIEST.isoformat()}")
        if self.start > today:
            raise InvalidValue(field, f"{self} lies after today ({today.isoformat()})")

    @property
    def end(self) -> date:
        """The first day after this date's period."""
        s = self.start
        if self.precision is Precision.DAY:
            return date.fromordinal(s.toordinal() + 1)
        if self.precision is Precision.MONTH:
            return date(s.year + 1, 1, 1) if s.month == 12 else date(s.year, s.month + 1, 1)
        return date(s.year + 1, 1, 1) if s.year < 9999 else END_OF_TIME

    @property
    def is_exact(self) -> bool:
        return self.precision is Precision.DAY

    def __str__(self) -> str:
        if self.precision is Precision.DAY:
            return self.start.isoformat()
        if self.precision is Precision.MONTH:
            return self.start.isoformat()[:7]
        return self.start.isoformat()[:4]


def parse_day(text: str | None, field: str) -> date | None:
    """A plain `YYYY-MM-DD` date that exists; None when none is given."""
    if text is None:
        return None
    try:
        if _PLAIN_DAY.match(text):  # fromisoformat alone also takes week dates (2025-W27-4)
            return date.fromisoformat(text)
    except (ValueError, TypeError):
        pass
    raise InvalidValue(field, f"{text!r} is not a date in the form YYYY-MM-DD")


_PLAIN_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
