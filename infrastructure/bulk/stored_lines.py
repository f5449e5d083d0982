"""Lines of an import that the ledger already holds: skipped only when stored as the line says.

A line is compared with what is stored in one canonical form, made by the same encoder on both
sides (the audit log's body for a fact, the export's record for the rest), so an equal line
re-read in another spelling (an offset, a key order) is still equal, and any other difference
is an ImportMismatch naming the line and the first field that differs.
"""

from __future__ import annotations

import json
from typing import Any

from domain.subject import Milestone
from infrastructure.bulk.lines import (
    actor_from_line,
    fact_from_line,
    milestone_from_line,
    subject_from_line,
)
from infrastructure.encoding.answers import audit_body
from infrastructure.encoding.catalogue_bodies import actor_body
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.encoding.transcodings import MilestoneAsDict
from infrastructure.errors import ImportMismatch
from infrastructure.log.records import subject_record
from infrastructure.write.ledger import Ledger

SHOWN = 80  # characters of a value shown in a mismatch at most
ABSENT = object()  # a key one side has and the other has not


class StoredLines:
    """Whether lines are already in the ledger, each as it says (ImportMismatch if not)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def present(self, r: dict[str, Any]) -> bool:
        kind = r.get("record")
        if kind == "fact":
            return self._fact(r)
        if kind == "subject":
            return self._subject(r)
        if kind == "milestone":
            return self._milestone(r)
        if kind == "actor":
            return self._actor(r)
        return False  # not a ledger record: refused when it is folded

    def _fact(self, r: dict[str, Any]) -> bool:
        stored = self.ledger.view.fact(str(r.get("fact_id")))
        if stored is None:
            return False
        given = audit_body(fact_from_line(r), r.get("relation_version", stored["relation_version"]))
        given["position"] = r.get("position", stored["position"])
        same(r, f"fact {stored['fact_id']}", stored, given)
        return True

    def _subject(self, r: dict[str, Any]) -> bool:
        slug = str(r.get("id"))
        if self.ledger.view.subject(slug) is None:
            return False
        stored = subject_record(self.ledger.load_subject(slug))
        same(r, f"subject {slug!r}", stored, subject_record(subject_from_line(r)))
        return True

    def _milestone(self, r: dict[str, Any]) -> bool:
        body = self.ledger.view.subject(str(r.get("subject"))) or {"milestones": []}
        stored = next((m for m in body["milestones"] if m["milestone_id"] == r.get("milestone_id")), None)
        if stored is None:
            return False
        what = f"milestone {stored['milestone_id']} of {r['subject']!r}"
        same(r, what, milestone_record(MilestoneAsDict().decode(stored)), milestone_record(milestone_from_line(r)))
        return True

    def _actor(self, r: dict[str, Any]) -> bool:
        stored = next((a for a in self.ledger.view.actors() if a["code"] == r.get("code")), None)
        if stored is None:
            return False
        same(r, f"actor {stored['code']!r}", stored, actor_body(actor_from_line(r)))
        return True


def milestone_record(milestone: Milestone) -> dict[str, Any]:
    """A milestone's fields as the export writes them, its system time in UTC."""
    return MilestoneAsDict().encode(milestone) | {"recorded_at": rfc3339(milestone.recorded_at)}


def same(r: dict[str, Any], what: str, stored: dict[str, Any], given: dict[str, Any]) -> None:
    """Nothing, if the line says what is stored; else ImportMismatch naming the first difference."""
    found = first_difference(stored, given, "")
    if found is not None:
        path, was, says = found
        says_so = f"is stored with {path} {_shown(was)}, the file says {_shown(says)}"
        raise ImportMismatch(f"line {r['_line']}: {what} {says_so}")


def first_difference(stored: Any, given: Any, path: str) -> tuple[str, Any, Any] | None:
    """The first place two JSON values differ, in the stored value's order: its path, and each side."""
    if isinstance(stored, dict) and isinstance(given, dict):
        for key in [*stored, *(k for k in given if k not in stored)]:
            found = first_difference(stored.get(key, ABSENT), given.get(key, ABSENT), f"{path}.{key}" if path else key)
            if found is not None:
                return found
        return None
    if isinstance(stored, list) and isinstance(given, list):
        for i in range(max(len(stored), len(given))):
            found = first_difference(
                stored[i] if i < len(stored) else ABSENT, given[i] if i < len(given) else ABSENT, f"{path}[{i}]"
            )
            if found is not None:
                return found
        return None
    return None if type(stored) is type(given) and stored == given else (path, stored, given)


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "nothing"
    if isinstance(value, str) and len(value) > SHOWN:  # a long quote: its start, still quoted
        value = value[: SHOWN - 1] + "…"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN + 2 else text[: SHOWN - 1] + "…"
