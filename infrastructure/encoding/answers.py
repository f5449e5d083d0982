"""How facts, recognitions and timeline intervals appear in answers: one shape, whether the
answer comes from the view's rows or from a replay of the events."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.facts import Fact
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.encoding.transcodings import fact_to_dict

OPEN_END = "9999-12-31"  # where every timeline's last interval ends: shown as no end (null)


def audit_body(f: Fact, relation_version: int) -> dict[str, Any]:
    """The fact as the audit log and every answer show it, but its position."""
    body = fact_to_dict(f)
    body.update(
        relation_version=relation_version,
        precision=f.effective_on.precision.value,
        recorded_at=rfc3339(f.recorded_at),
    )
    return body


def fact_answer(body: dict[str, Any], position: int) -> dict[str, Any]:
    """A stored fact body with its position in the ledger."""
    body["position"] = position
    return body


def recognition(actor: str, form: str | None, since: date | str | None) -> dict[str, Any]:
    """One entry of `recognised_by`."""
    return {"actor": actor, "form": form, "since": day_text(since)}


def interval(valid_from: date | str, valid_to: date | str, status: dict[str, Any]) -> dict[str, Any]:
    """One interval of a relation's timeline."""
    return {"valid_from": day_text(valid_from), "valid_to": valid_end(valid_to), "status": status}


def valid_end(valid_to: date | str) -> str | None:
    """An interval's end, or None for the open end of a timeline."""
    text = day_text(valid_to)
    return None if text == OPEN_END else text


def day_text(value: date | str | None) -> Any:
    """A date as answers give it: the backend may hand it as a date or as ISO text."""
    return value.isoformat() if isinstance(value, date) else value
