"""Reading system times given as text, by the HTTP API and the CLI alike (dates: domain.dates.parse_day)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.errors import InvalidValue


def system_time(text: str | None, field: str = "recorded_at") -> datetime | None:
    """An RFC 3339 time (UTC when no offset is given), or None when not given."""
    if text is None:
        return None
    try:
        # RFC 3339 allows a lower-case T and Z; no other letter can be in one.
        value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        hint = "; a '+' in a query string is sent as %2B (a bare '+' is a space), or use Z" if " " in text else ""
        raise InvalidValue(field, f"{text!r} is not an RFC 3339 time{hint}") from None
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before the first year there is
        raise InvalidValue(field, f"{text!r} is outside the years 0001 to 9999 in UTC") from None
