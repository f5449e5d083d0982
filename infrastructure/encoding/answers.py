"""How facts, recognitions and timeline intervals appear in answers: one shape, whether the
answer comes from the view's rows or from a replay of the events."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.dates import EARLIEST, END_OF_TIME
from domain.facts import Fact
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.encoding.transcodings import fact_to_dict

OPEN_END = END_OF_TIME.isoformat()  # where every timeline's last interval ends: shown as no end (null)
EARLIEST_TEXT = EARLIEST.isoformat()  # where every timeline starts, before any fact: shown as no start


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


def recognition(
    actor: str, form: str | None, since: str, precision: str, fact_id: str, approximate: Any, disputed: Any
) -> dict[str, Any]:
    """One entry of `recognised_by`: who, in which form, since when and how precisely, on which fact."""
    return {
        "actor": actor,
        "form": form,
        "since": since,
        "since_precision": precision,
        "fact_id": fact_id,
        "approximate": bool(approximate),
        "disputed": bool(disputed),
    }


def evidence(facts: list[dict[str, Any]], disputes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Facts by id, each with the standing disputes of it (`disputed_by`), which are entries too."""
    out = {f["fact_id"]: f | {"disputed_by": []} for f in facts}
    for d in disputes:
        out[d["fact_id"]] = d | {"disputed_by": []}
    for d in disputes:
        target = out.get(d["details"]["disputes"])
        if target is not None:
            target["disputed_by"].append(d["fact_id"])
    return out


PART_NAMES = ("recognition", "relations", "ambassador_accepted", "ambassador_sent", "terrorist_listed")
LISTED_PARTS = ("missions", "sanctions")


def deciding(status: dict[str, Any]) -> list[tuple[str, bool]]:
    """A status answer's deciding facts, each with whether its part is disputed."""
    parts = [status[name] for name in PART_NAMES] + [p for name in LISTED_PARTS for p in status[name]]
    return [(p["fact_id"], bool(p.get("disputed"))) for p in parts if "fact_id" in p]


def with_corrections(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A relation's facts, each with its retraction (`retracted_by`) and standing disputes."""
    retracted = {f["details"]["retracts"]: f["fact_id"] for f in facts if f["type"] == "fact_retracted"}
    disputed: dict[str, list[str]] = {}
    for f in facts:
        if f["type"] == "fact_disputed" and f["fact_id"] not in retracted:
            disputed.setdefault(f["details"]["disputes"], []).append(f["fact_id"])
    return [
        f | {"retracted_by": retracted.get(f["fact_id"]), "disputed_by": disputed.get(f["fact_id"], [])} for f in facts
    ]


def interval(valid_from: date | str, valid_to: date | str, status: dict[str, Any]) -> dict[str, Any]:
    """One interval of a relation's timeline; the one before its first fact starts nowhere."""
    start = day_text(valid_from)
    no_facts = start == EARLIEST_TEXT and not status["basis"]
    return {
        "valid_from": None if no_facts else start,
        "valid_to": valid_end(valid_to),
        "no_facts": no_facts,
        "status": status,
    }


def revision(fact: dict[str, Any], before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    """One recording moment of a relation: the fact recorded, and the intervals it replaced by others."""
    return {
        "relation_version": fact["relation_version"],
        "recorded_at": fact["recorded_at"],
        "fact": fact,
        "before": before,
        "after": after,
    }


def valid_end(valid_to: date | str) -> str | None:
    """An interval's end, or None for the open end of a timeline."""
    text = day_text(valid_to)
    return None if text == OPEN_END else text


def day_text(value: date | str | None) -> Any:
    """A date as answers give it: the backend may hand it as a date or as ISO text."""
    return value.isoformat() if isinstance(value, date) else value
