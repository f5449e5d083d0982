"""The feed's filters: subjects, actors and types, each meaning any of its values; none, everything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infrastructure.feed.feed_event import KINDS, FeedEvent
from infrastructure.read.audit_filters import FACT_TYPES, AuditFilters

# A fact's type, or the kind of any other record.
FEED_TYPES = FACT_TYPES | {k: k for k in KINDS if k != "fact"}


@dataclass(frozen=True)
class FeedFilters:
    subjects: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()

    @classmethod
    def checked(cls, audit: AuditFilters, subject: Any, actor: Any, type: Any) -> FeedFilters:
        """The filters, each value checked as the audit log checks it (InvalidValue(s) if not)."""
        checker = AuditFilters(audit.actors, audit.subjects, audit.subject_bodies, FEED_TYPES, "fact type or record")
        out = checker.checked({"subject": subject, "actor": actor, "type": type})
        return cls(frozenset(out["subject"]), frozenset(out["actor"]), frozenset(out["type"]))

    def matches(self, event: FeedEvent) -> bool:
        if self.subjects and event.subject not in self.subjects:
            return False
        if self.actors and event.actor not in self.actors:
            return False
        return not self.types or event.type in self.types
