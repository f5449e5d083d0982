"""The catalogue bodies of subjects and registered actors, as the view keeps them and the API shows them."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.subject import Subject
from infrastructure.encoding.rfc3339 import parse_rfc3339, rfc3339
from infrastructure.encoding.transcodings import MilestoneAsDict


def subject_body(subject: Subject) -> dict[str, Any]:
    milestones = sorted(
        (MilestoneAsDict().encode(m) | {"recorded_at": rfc3339(m.recorded_at)} for m in subject.milestones),
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


def answered_subject(body: dict[str, Any]) -> dict[str, Any]:
    """A subject body as the API answers it: its milestones' system times in RFC 3339 UTC (`Z`),
    also in bodies a view kept before it wrote them so."""
    milestones = [m | {"recorded_at": rfc3339(parse_rfc3339(m["recorded_at"]))} for m in body["milestones"]]
    return body | {"milestones": milestones}


def actor_body(actor: Any) -> dict[str, Any]:
    """A registered actor, from its aggregate or its Registered event (they carry the same fields)."""
    return {
        "code": actor.code,
        "name": actor.name,
        "kind": kind_text(actor.kind),
        "registered_at": rfc3339(actor.registered_at),
        "valid_from": _day(actor.valid_from),
        "valid_to": _day(actor.valid_to),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def kind_text(kind: Any) -> str:
    """A kind as the catalogue writes it: an enum's value, or the text a store gave back."""
    return kind.value if hasattr(kind, "value") else str(kind)
