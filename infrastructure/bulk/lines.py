"""The export's lines, read back: each record as the ledger's own value, or ImportMismatch naming
the line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.actor import ActorKind, RegisteredActor
from domain.errors import InvalidValue
from domain.facts import Fact
from domain.lifespan import Lifespan
from domain.subject import Milestone, Subject, SubjectKind
from infrastructure.encoding.transcodings import MilestoneAsDict, fact_from_dict
from infrastructure.errors import ImportMismatch

NOT_FACT = (
    "record",
    "_line",
    "position",
    "relation_version",
    "log_index",
)  # a fact line's keys that are not the fact's


def instant(r: dict[str, Any], key: str) -> datetime:
    """A line's time, in UTC as the ledger keeps times: it must have an offset (any), and a year
    from 1 to 9999 once in UTC."""
    try:
        value = datetime.fromisoformat(r[key])
        if value.tzinfo is None:
            raise ValueError("no offset")
        return value.astimezone(UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ImportMismatch(
            f"line {r['_line']}: {key} {r.get(key)!r} is not a time with an offset within the years 0001 to 9999 in UTC"
        ) from None


def fact_from_line(r: dict[str, Any]) -> Fact:
    body = {k: v for k, v in r.items() if k not in NOT_FACT}
    body["recorded_at"] = instant(r, "recorded_at").isoformat()
    try:
        return fact_from_dict(body)
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        raise ImportMismatch(f"line {r['_line']}: malformed fact ({e})") from None


def subject_from_line(r: dict[str, Any]) -> Subject:
    try:
        return Subject(
            slug=r["id"],
            name=r["name"],
            kind=SubjectKind(r["kind"]),
            territory=r.get("territory"),
            aliases=tuple(r.get("aliases") or ()),
            registered_at=instant(r, "registered_at"),
            registered_by=r["registered_by"],
        )
    except (KeyError, ValueError, TypeError) as e:
        raise ImportMismatch(f"line {r['_line']}: malformed subject ({e})") from None


def milestone_from_line(r: dict[str, Any]) -> Milestone:
    at = instant(r, "recorded_at").isoformat()
    try:
        return MilestoneAsDict().decode({**r, "recorded_at": at})
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        raise ImportMismatch(f"line {r['_line']}: malformed milestone ({e})") from None


def actor_from_line(r: dict[str, Any]) -> RegisteredActor:
    try:
        lifespan = Lifespan.checked(_day(r, "valid_from"), _day(r, "valid_to"))
        return RegisteredActor(
            code=r["code"],
            name=r["name"],
            kind=ActorKind(r["kind"]),
            registered_at=instant(r, "registered_at"),
            valid_from=lifespan.first,
            valid_to=lifespan.last,
        )
    except InvalidValue as e:
        raise ImportMismatch(f"line {r['_line']}: {e}") from None
    except (KeyError, ValueError, TypeError) as e:
        raise ImportMismatch(f"line {r['_line']}: malformed actor ({e})") from None


def _day(r: dict[str, Any], key: str) -> date | None:
    """A registered actor's date; exports made before actors had lifespans have none."""
    value = r.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportMismatch(f"line {r['_line']}: {key} {value!r} is not a date YYYY-MM-DD") from None
