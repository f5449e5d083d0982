"""A ledger made by the previous layout opens, is migrated, and answers as it did."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

from infrastructure.bulk.export import export_lines
from infrastructure.bulk.rebuild import Rebuild
from infrastructure.bulk.verify import verify_log
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock, database, services_for

# Made at commit 54206ce: the demo, then one fact and one subject, each sent with an
# Idempotency-Key (tests/data/previous-layout/, an sqlite3 .dump and a pg_dump --inserts).
PREVIOUS = Path(__file__).parents[1] / "data" / "previous-layout"
SRC = [{"url": "https://example.org/previous-layout"}]
FACT = {
    "type": "recognition_granted",
    "actor": "CHN",
    "subject": "taliban-iea",
    "effective_on": "2026-01-05",
    "details": {"form": "de_facto"},
    "sources": SRC,
}
SUBJECT = {"id": "previous", "name": "Previous", "kind": "government"}


def load_previous(backend: str, url: str) -> None:
    script = (PREVIOUS / f"{backend}.sql").read_text(encoding="utf-8")
    if backend == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.executescript(script)
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(script.encode())


def test_a_ledger_of_the_previous_layout_is_migrated_and_answers_as_before(backend: str, tmp_path: Path) -> None:
    """Kept answers replay as given (their positions included), status answers and positions go on
    from where they were, the new write path takes new facts, and a rebuild equals the migrated view."""
    clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    with database(backend, str(tmp_path)) as url:
        load_previous(backend, url)
        s = services_for(url, clock)
        try:
            ledger, view = s.ledger, s.ledger.view
            assert view.max_position() == 18
            # Its log was built from its events when it opened: a leaf per record, as an export has them.
            records = list(export_lines(ledger, s.log.checkpoints))[:-1]
            assert ledger.tree.size() == len(records) > 18
            assert verify_log(ledger, s.log.checkpoints).problem is None
            again = ledger.record_fact(FACT, WriteRequest("ed", key="previous-fact", body_hash="hash-fact"))
            assert {k: again[k] for k in ("position", "relation_version", "recorded_at")} == {
                "position": 18,
                "relation_version": 2,
                "recorded_at": "2026-11-30T12:00:00.000001Z",
            }
            assert view.fact(again["fact_id"])["position"] == 18
            assert (
                ledger.register_subject(SUBJECT, WriteRequest("ed", key="previous-subject", body_hash="hash-subject"))[
                    "registered_at"
                ]
                == "2026-11-30T12:00:00.000000Z"
            )
            assert view.max_position() == 18, "nothing was recorded twice"
            assert [f["position"] for f in view.audit({}, 0, 100)] == list(range(1, 19))
            before = s.queries.recognitions("taliban-iea", date(2025, 7, 3))["recognised_by"]
            assert [{k: r[k] for k in ("actor", "form", "since")} for r in before] == [
                {"actor": "RUS", "form": "de_jure", "since": "2025-07-03"}
            ]
            assert before[0]["since_precision"] == "day", "the view was rebuilt with the recognition's fact"
            assert [r["actor"] for r in s.queries.recognitions("taliban-iea", date(2026, 1, 5))["recognised_by"]] == [
                "RUS",
                "CHN",
            ]

            receipt = ledger.record_fact(
                FACT | {"actor": "PAK", "effective_on": "2026-02-01"}, WriteRequest("ed", key="new", body_hash="h")
            )
            assert receipt["position"] == 19
            assert ledger.record_fact(FACT, WriteRequest("ed", key="new", body_hash="h")) == receipt
            assert view.fact(receipt["fact_id"])["position"] == 19
            assert ledger.tree.index_of_fact(receipt["fact_id"]) == len(records), "the next leaf"
            assert verify_log(ledger, s.log.checkpoints).problem is None

            live = (list(view.all_status_rows()), view.audit({}, 0, 100), view.subjects(), view.actors())
            Rebuild(ledger).run()
            assert (list(view.all_status_rows()), view.audit({}, 0, 100), view.subjects(), view.actors()) == live

            with ledger.dialect.writing() as cursor:
                assert "position" in ledger.dialect.column_names(cursor, "ledger_requests")
                if backend == "postgres":
                    cursor.execute(b"SELECT proname FROM pg_proc WHERE proname LIKE 'ledger%'")
                    assert [r["proname"] for r in cursor.fetchall()] == ["ledger_append"]
        finally:
            s.close()


def test_processes_opening_an_outdated_view_together_take_turns(backend: str, tmp_path: Path) -> None:
    """Four processes open a ledger of the previous layout at once (as `ledger serve --workers 4`
    would): one rebuilds the view, the others wait for it, and every one opens."""
    with database(backend, str(tmp_path)) as url:
        load_previous(backend, url)
        code = (
            "from infrastructure.bootstrap import build\n"
            "from infrastructure.config.settings import Settings\n"
            f"build(Settings(database_url={url!r})).close()\n"
        )
        root = str(Path(__file__).parents[2])
        env = {**os.environ, "PYTHONPATH": root}
        opened = [subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE) for _ in range(4)]
        errors = [p.communicate(timeout=300)[1].decode()[-600:] for p in opened]
        assert [p.returncode for p in opened] == [0, 0, 0, 0], errors
        s = services_for(url, Clock(datetime(2026, 12, 2, tzinfo=UTC)))
        try:
            assert not s.ledger.schema.outdated()
            assert (
                s.queries.recognitions("taliban-iea", date(2025, 7, 3))["recognised_by"][0]["since_precision"] == "day"
            )
        finally:
            s.close()
