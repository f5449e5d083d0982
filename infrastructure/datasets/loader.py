"""The data sets shipped with the ledger, loaded through the normal write path.

`demo` is the article's story; the others are sourced histories (docs/data.md). Each line is a
registration, a milestone or a fact as a client would send it, with its sources, or a dispute of
a fact named by actor, subject, type and effective date. A line is
sent with an Idempotency-Key made from its text, so loading a set again writes nothing twice;
a line the ledger already says in other words (the same subject, or the same fact recorded
before by someone else) is counted as present.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from domain.errors import DomainError, RuleViolation
from infrastructure.errors import AlreadyExists, DataSetRefused, LedgerError, NotFound
from infrastructure.write.ledger import Ledger
from infrastructure.write_request import WriteRequest

DEMO = "demo"
PRINCIPALS = {DEMO: "demo"}  # who records a set's lines; "data" for the sourced sets
Progress = Callable[[int], None]


@dataclass
class LoadReport:
    """What loading a set did: lines written, and lines the ledger already held."""

    written: int = 0
    present: int = 0


def set_names() -> list[str]:
    """The sourced sets shipped, by name (the demo apart)."""
    names = (
        p.name.removesuffix(".jsonl")
        for p in files(__package__).joinpath("files").iterdir()
        if p.name.endswith(".jsonl")
    )
    return sorted(n for n in names if n != DEMO)


def set_lines(name: str) -> list[str]:
    """A set's lines; NotFound if there is no set by that name."""
    if name != DEMO and name not in set_names():
        raise NotFound("data set", name)
    text = files(__package__).joinpath("files", f"{name}.jsonl").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def records(name: str) -> Iterator[dict[str, Any]]:
    for line in set_lines(name):
        yield json.loads(line)


def load_set(ledger: Ledger, name: str, progress: Progress | None = None) -> LoadReport:
    """Send every line of a set through the ledger's commands, in order; a refusal stops the
    load, naming the line (the lines before it stay written)."""
    report = LoadReport()
    principal = PRINCIPALS.get(name, "data")
    for number, line in enumerate(set_lines(name), start=1):
        digest = hashlib.sha256(line.encode()).hexdigest()
        request = WriteRequest(principal, key=f"{name}:{digest[:40]}", body_hash=digest)
        if ledger.answers.answer(request) is not None:
            report.present += 1
        elif _send(ledger, json.loads(line), request, f"{name} line {number}"):
            report.written += 1
        else:
            report.present += 1
        if progress:
            progress(1)
    return report


def load_demo(ledger: Ledger) -> int:
    """Load the article's story; how many of its records were new."""
    return load_set(ledger, DEMO).written


def _disputed(ledger: Ledger, record: dict[str, Any], where: str) -> str:
    """The id of the fact a dispute line names by actor, subject, type and effective date."""
    named = {k: record.get(k) for k in ("actor", "subject", "type")}
    for fact in ledger.view.audit(named, 0, 1000):
        if fact["effective_on"] == record.get("effective_on"):
            return str(fact["fact_id"])
    raise DataSetRefused(
        f"{where}: no {named['type']} of {named['actor']} toward {named['subject']} on {record.get('effective_on')}"
    )


def _send(ledger: Ledger, record: dict[str, Any], request: WriteRequest, where: str) -> bool:
    """Record one line; whether it was new (False: the ledger already says it)."""
    kind = record.pop("record")
    try:
        if kind == "subject":
            ledger.register_subject(record, request)
        elif kind == "milestone":
            ledger.add_milestone(record.pop("subject"), record, request)
        elif kind == "fact":
            ledger.record_fact(record, request)
        elif kind == "dispute":
            target = _disputed(ledger, record, where)
            ledger.dispute(target, {"reason": record["reason"], "sources": record["sources"]}, request)
        else:
            raise DataSetRefused(f"{where}: unknown record {kind!r}")
    except AlreadyExists:
        return False
    except RuleViolation as refusal:
        if refusal.rule != "duplicate":
            raise DataSetRefused(f"{where}: {refusal.reason}") from None
        return False
    except (DomainError, LedgerError) as refusal:
        raise DataSetRefused(f"{where}: {refusal}") from None
    return True
