"""Which actors' statuses differ between two dates, and on which days in between they changed."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from infrastructure.encoding.answers import LISTED_PARTS, PART_NAMES

# What says why or how sure, not what: ignored when comparing statuses.
NOT_SUBSTANCE = ("basis", "approximate", "disputed")
NOT_SUBSTANCE_OF_PART = ("fact_id", "approximate", "disputed")


def changed_statuses(
    intervals: list[dict[str, Any]], start: date, end: date
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """From a subject's intervals (by actor, in valid-time order) that hold between `start` and `end`:
    each actor whose status differs on the two days, with both statuses, and the days after `start`
    up to `end` from which its status differs from the day before."""
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for row in intervals:
        by_actor.setdefault(row["actor"], []).append(row)
    changed: list[dict[str, Any]] = []
    days: dict[str, list[str]] = {}
    for actor, rows in sorted(by_actor.items()):
        before, after = _holding(rows, start), _holding(rows, end)
        if _substance(before) == _substance(after):
            continue
        days[actor] = [
            b["valid_from"]
            for a, b in pairwise(rows)
            if start.isoformat() < b["valid_from"] <= end.isoformat()
            and _substance(a["status"]) != _substance(b["status"])
        ]
        changed.append({"actor": actor, "before": _row(actor, before), "after": _row(actor, after)})
    return changed, days


def _holding(rows: list[dict[str, Any]], day: date) -> dict[str, Any] | None:
    """The status of the interval, among a relation's (in order), that holds on `day`."""
    text = day.isoformat()
    held = [r for r in rows if r["valid_from"] <= text]
    return held[-1]["status"] if held else None


def _row(actor: str, status: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"actor": actor, **status} if status is not None else None


def _substance(status: dict[str, Any] | None) -> dict[str, Any] | None:
    if status is None:
        return None
    out = {k: v for k, v in status.items() if k not in NOT_SUBSTANCE}
    for name in PART_NAMES:
        out[name] = _plain(status[name])
    for name in LISTED_PARTS:
        out[name] = [_plain(p) for p in status[name]]
    return out


def _plain(part: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in part.items() if k not in NOT_SUBSTANCE_OF_PART}
