"""One record of the change feed: its log index, its kind, and its data as the API shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("fact", "subject", "milestone", "actor")  # the records of the log


@dataclass(frozen=True)
class Cursor:
    """Where a read of the events stands: after this notification, whose record had this log
    index, and this many facts. The start is before any of them."""

    notification_id: int = 0
    index: int = -1
    position: int = 0


START = Cursor()


@dataclass
class FeedEvent:
    """A record at its log index; `data` is a fact as GET /v1/facts/{id} gives it (but its
    corrections, which follow as records of their own), or another record as the export writes it."""

    index: int
    kind: str
    data: dict[str, Any]
    after: Cursor  # the cursor just past this record
    rendered: dict[str | None, str] = field(default_factory=dict, repr=False, compare=False)  # by the API, per format

    @property
    def subject(self) -> str | None:
        return self.data.get("id") if self.kind == "subject" else self.data.get("subject")

    @property
    def actor(self) -> str | None:
        return self.data.get("code") if self.kind == "actor" else self.data.get("actor")

    @property
    def type(self) -> str:
        """A fact's type; the kind of any other record."""
        return str(self.data["type"]) if self.kind == "fact" else self.kind

    @property
    def recorded_at(self) -> str:
        """The record's system time, RFC 3339."""
        return str(self.data.get("recorded_at") or self.data.get("registered_at"))
