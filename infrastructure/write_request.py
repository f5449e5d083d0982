"""Who is writing, and how: principal, Idempotency-Key and If-Match."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WriteRequest:
    """The context of one write: recorded as `recorded_by`, replayed by key, checked by version."""

    principal: str
    key: str | None = None
    body_hash: str | None = None
    expected_version: int | None = None
