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
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not an RFC 3339 time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
