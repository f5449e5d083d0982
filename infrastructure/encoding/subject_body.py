"""The catalogue body of a subject, as the view and the API show it."""

from __future__ import annotations

from typing import Any

from domain.subject import Subject
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.encoding.transcodings import MilestoneAsDict


def subject_body(subject: Subject) -> dict[str, Any]:
    milestones = sorted(
        (MilestoneAsDict().encode(m) for m in subject.milestones),
        key=lambda m: (m["effective_on"], m["recorded_at"]),
    )
    return {
        "id": subject.slug,
        "name": subject.name,
        "kind": subject.kind.value,
        "territory": subject.territory,
        "aliases": list(subject.aliases),
        "registered_at": rfc3339(subject.registered_at),
        "milestones": milestones,
    }
