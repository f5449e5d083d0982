"""A milestone written from a subject another write changed meanwhile is checked again and recorded."""

from __future__ import annotations

from typing import Any

import pytest

from infrastructure.bootstrap import Services
from infrastructure.write_request import WriteRequest

SRC = [{"url": "https://www.mofa.go.jp/announce/announce/2011/7/0709_01.html"}]


def test_a_milestone_whose_subject_changed_meanwhile_is_recorded(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save from the stale copy is refused by the store; the milestone is checked again on the subject as stored."""
    ledger = services.ledger
    ledger.register_subject({"id": "south-sudan", "name": "South Sudan", "kind": "state"}, WriteRequest("ed"))
    stale = ledger.load_subject("south-sudan")
    ledger.add_milestone(
        "south-sudan",
        {"kind": "declared_independence", "effective_on": "2011-07-09", "sources": SRC},
        WriteRequest("ed"),
    )
    loads: list[Any] = []
    fresh = type(ledger).load_subject

    def first_stale(self: Any, slug: str) -> Any:  # the copy loaded before the other write
        loads.append(slug)
        return stale if len(loads) == 1 else fresh(self, slug)

    monkeypatch.setattr(type(ledger), "load_subject", first_stale)
    body = ledger.add_milestone(
        "south-sudan", {"kind": "renamed", "effective_on": "2011-07-10", "sources": SRC}, WriteRequest("ed")
    )
    assert body["kind"] == "renamed" and len(loads) == 2, "tried again on the subject as stored"
    kinds = [m["kind"] for m in services.queries.subject("south-sudan")["milestones"]]
    assert kinds == ["declared_independence", "renamed"]
