"""Whether a subject exists: listed once per process, and still right about later registrations."""

from __future__ import annotations

import pytest

from infrastructure.errors import NotFound
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock, database, services_for

SRC = [{"url": "https://example.org/x"}]


def test_a_subject_registered_by_another_process_is_found(backend: str, tmp_path, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    with database(backend, str(tmp_path)) as url:
        one, other = services_for(url, clock), services_for(url, clock)
        try:
            fact = {
                "type": "statement_made",
                "actor": "RUS",
                "subject": "later",
                "effective_on": "2025",
                "sources": SRC,
            }
            fact["details"] = {"stance": "neutral", "quote": "We shall see."}
            assert not one.ledger.subjects.exists("later")
            with pytest.raises(NotFound, match="later"):
                one.ledger.record_fact(fact, WriteRequest("ed"))
            other.ledger.register_subject({"id": "later", "name": "Later", "kind": "government"}, WriteRequest("ed"))
            assert one.ledger.subjects.exists("later"), "asked again, not answered from the first list"
            receipt = one.ledger.record_fact(fact, WriteRequest("ed"))
            assert receipt["relation_version"] == 1
        finally:
            one.close()
            other.close()
