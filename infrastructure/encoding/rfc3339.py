"""System times as RFC 3339 UTC text, the one format the ledger writes them in."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(value: datetime) -> str:
    # Not strftime: its %Y writes year 999 as "999" here, and RFC 3339 needs four digits.
    t = value.astimezone(UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}Z"
