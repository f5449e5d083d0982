"""The article's story as seed data: a versioned file of sourced facts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

from infrastructure.write.ledger import Ledger
from infrastructure.write_request import WriteRequest

DEMO_SUBJECT = "taliban-iea"
PRINCIPAL = WriteRequest("demo")


def demo_records() -> Iterator[dict[str, Any]]:
    text = files("infrastructure.demo").joinpath("data/demo.jsonl").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


def load_demo(ledger: Ledger) -> int:
    """Record the demo facts through the normal commands; 0 if they are already there."""
    if ledger.view.subject(DEMO_SUBJECT) is not None:
        return 0
    count = 0
    for record in demo_records():
        kind = record.pop("record")
        if kind == "subject":
            ledger.register_subject(record, PRINCIPAL)
        elif kind == "milestone":
            ledger.add_milestone(record.pop("subject"), record, PRINCIPAL)
        elif kind == "fact":
            ledger.record_fact(record, PRINCIPAL)
        count += 1
    return count
