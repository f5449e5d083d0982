"""System times as RFC 3339 UTC text, the one format the ledger writes them in."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=8192)  # a fact's time is written into its event, its body and its rows
def rfc3339(value: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ`, always four digits of year (strftime's %Y may write fewer)."""
    t = value.astimezone(UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}Z"


def now_rfc3339() -> str:
    """This moment, as rfc3339 writes it (not cached: it is never asked twice)."""
    return rfc3339.__wrapped__(datetime.now(UTC))


def parse_rfc3339(text: str) -> datetime:
    """The time `rfc3339` wrote as `text`."""
    return datetime.fromisoformat(text)
