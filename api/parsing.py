"""Reading dates and system times given as text, by the HTTP API and the CLI alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.errors import InvalidValue


def valid_date(text: str | None, field: str) -> date | None:
    """A `YYYY-MM-DD` date that exists, or None when not given."""
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not a date in the form YYYY-MM-DD") from None


def system_time(text: str | None, field: str = "recorded_at") -> datetime | None:
    """An RFC 3339 time (UTC when no offset is given), or None when not given."""
    if text is None:
        return None
    try:
        # RFC 3339 allows a lower-case T and Z; no other letter can be in one.
        value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not an RFC 3339 time") from None
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before the first year there is
        raise InvalidValue(field, f"{text!r} is outside the years 0001 to 9999 in UTC") from None
