"""A rebuilt view equals the live one; export -> import -> export is exact."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import re
import signal
import tempfile
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime

import pytest

from infrastructure.bootstrap import Services, build
from infrastructure.bulk import rebuild
from infrastructure.bulk.expected_checkpoint import check_expected, read_checkpoint
from infrastructure.bulk.export import export_lines
from infrastructure.bulk.importer import Importer
from infrastructure.bulk.rebuild import Rebuild
from infrastructure.config.settings import Settings
from infrastructure.datasets.loader import load_demo
from infrastructure.encoding.canonical import canonical
from infrastructure.errors import ImportMismatch, NotFound
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock

SRC = [{"url": "https://example.org/x"}]


def busy_ledger(s: Services, clock: Clock) -> None:
    """The demo, plus backdated facts, a retraction, a dispute, a milestone and an actor."""
    load_demo(s.ledger)
    clock.advance(minutes=5)
    s.ledger.register_actor(
        {"code": "OIC", "name": "Organisation of Islamic Cooperation", "kind": "organisation"}, WriteRequest("admin")
    )
    s.ledger.record_fact(
        {
            "type": "relations_established",
            "actor": "RUS",
            "subject": "taliban-iea",
            "effective_on": "1992",
            "sources": SRC,
        },
        WriteRequest("ed"),
    )
    wrong = s.ledger.record_fact(
        {
            "type": "recognition_granted",
            "actor": "OIC",
            "subject": "taliban-iea",
            "effective_on": "2025-07",
            "sources": SRC,
        },
        WriteRequest("ed"),
    )
    clock.advance(minutes=5)
    s.ledger.retract(wrong["fact_id"], {"reason": "never happened"}, WriteRequest("ed"))
    grant = s.ledger.view.audit({"actor": "CHN"}, 0, 1)[0]
    s.ledger.dispute(grant["fact_id"], {"reason": "name", "sources": SRC}, WriteRequest("ed"))
    s.ledger.add_milestone(
        "taliban-iea", {"kind": "renamed", "effective_on": "1997-10", "sources": SRC}, WriteRequest("ed")
    )


def busy_export(make_services: Callable[[], Services], clock: Clock) -> list[str]:
    """The export lines of a busy ledger on fresh services."""
    source = make_services()
    busy_ledger(source, clock)
    return list(export_lines(source.ledger, source.log.checkpoints))


def record_backdated_sanction(s: Services, clock: Clock) -> None:
    """A minute on, a sanction dated 1999 toward taliban-iea: a fact for a relation a rebuild has folded."""
    clock.advance(minutes=1)
    s.ledger.record_fact(
        {
            "type": "sanctions_imposed",
            "actor": "RUS",
            "subject": "taliban-iea",
            "effective_on": "1999-11-14",
            "details": {"regime": "rebuild-test"},
            "sources": SRC,
        },
        WriteRequest("ed"),
    )


def snapshot(s: Services) -> tuple:  # type: ignore[type-arg]
    view = s.ledger.view
    return (list(view.all_status_rows()), view.audit({}, 0, 1000), view.subjects(), view.actors())


def test_a_rebuilt_view_equals_the_live_one_row_for_row(services: Services, clock: Clock) -> None:
    """Rebuilding from the event store gives the same rows, and queries keep working after the swap.

    Live writes go in one statement on PostgreSQL and row by row on SQLite; a rebuild copies.
    """
    busy_ledger(services, clock)
    live = snapshot(services)
    assert len(live[0]) > 20
    collecting: list[bool] = []
    events = Rebuild(services.ledger).run(lambda done, total: collecting.append(gc.isenabled()))
    assert events > 25
    assert collecting and not any(collecting), "the cyclic collector is off while rebuilding"
    assert gc.isenabled(), "and back on after"
    assert snapshot(services) == live
    Rebuild(services.ledger).run()
    assert snapshot(services) == live, "rebuilding twice changes nothing"
    services.ledger.record_fact(
        {"type": "relations_severed", "actor": "RUS", "subject": "taliban-iea", "effective_on": "1995", "sources": SRC},
        WriteRequest("ed"),
    )
    assert services.queries.recognitions("taliban-iea", date(2025, 7, 3))["count"] == 1


def test_a_rebuild_of_many_pages_copies_each_while_folding_the_next(
    services: Services, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 4 events: each page's rows are written (on PostgreSQL by a writer thread) as the
    next is folded; the view comes out the same, and progress counts each page once it is in."""
    monkeypatch.setattr(rebuild, "PAGE", 4)
    busy_ledger(services, clock)
    live = snapshot(services)
    reported: list[tuple[int, int]] = []
    events = Rebuild(services.ledger).run(lambda done, total: reported.append((done, total)))
    assert snapshot(services) == live
    pages = -(-events // 4)
    assert [done for done, _ in reported] == [min(4 * k, events) for k in range(1, pages + 1)] + [events]
    assert {total for _, total in reported} == {events}


def test_a_rebuild_whose_write_fails_stops_and_leaves_the_view_as_it_was(
    services: Services, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page that fails to be written (in the writer thread, on PostgreSQL) stops the rebuild
    before the swap: the live view is untouched, and the next rebuild starts afresh."""
    monkeypatch.setattr(rebuild, "PAGE", 4)
    busy_ledger(services, clock)
    live = snapshot(services)
    rows = services.ledger.rows
    write, calls = rows.write, []

    def failing_write(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return write(*args, **kwargs)

    monkeypatch.setattr(rows, "write", failing_write)
    with pytest.raises(RuntimeError, match="went away"):
        Rebuild(services.ledger).run()
    assert len(calls) == 3, "no page after the failed one was written"
    assert snapshot(services) == live
    assert gc.isenabled()
    monkeypatch.setattr(rows, "write", write)
    Rebuild(services.ledger).run()
    assert snapshot(services) == live


def test_a_rebuild_shared_out_to_worker_processes_gives_the_same_view(services: Services, clock: Clock) -> None:
    """On PostgreSQL two worker processes fold half the relations each; SQLite folds in-process."""
    busy_ledger(services, clock)
    live = snapshot(services)
    alive: list[int] = []
    Rebuild(services.ledger, workers=2, workers_after=0).run(
        lambda done, total: alive.append(len(multiprocessing.active_children()))
    )
    assert snapshot(services) == live
    expected = 2 if services.settings.backend == "postgres" else 0
    assert max(alive) == expected, f"{expected} worker processes"
    assert multiprocessing.active_children() == []


def test_after_worker_processes_facts_recorded_meanwhile_are_caught_up(services: Services, clock: Clock) -> None:
    """A backdated fact for a relation a worker folded: caught up from the store under the lock."""
    busy_ledger(services, clock)
    seen: dict[str, tuple] = {}  # type: ignore[type-arg]

    class Interrupted(Rebuild):
        def _bulk_in_workers(self, *args):  # type: ignore[no-untyped-def]
            super()._bulk_in_workers(*args)
            assert not self.relations, "this process folded none of them"
            record_backdated_sanction(services, clock)
            seen["live"] = snapshot(services)

    Interrupted(services.ledger, workers=2, workers_after=0).run()
    if services.settings.backend == "postgres":
        assert snapshot(services) == seen["live"]
        assert any(f["details"].get("regime") == "rebuild-test" for f in services.ledger.view.audit({}, 0, 1000))
    else:
        assert "live" not in seen, "SQLite does not start workers"


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_rebuild_whose_worker_dies_stops_and_leaves_the_view_as_it_was(services: Services, clock: Clock) -> None:
    """A worker process killed mid-rebuild stops it before the swap; the next rebuild works."""
    busy_ledger(services, clock)
    live = snapshot(services)

    def kill_a_worker(done: int, total: int) -> None:
        for child in multiprocessing.active_children()[:1]:
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]

    with pytest.raises(BrokenProcessPool):
        Rebuild(services.ledger, workers=2, workers_after=0).run(kill_a_worker)
    assert snapshot(services) == live
    assert gc.isenabled()
    Rebuild(services.ledger, workers=2, workers_after=0).run()
    assert snapshot(services) == live


def test_facts_recorded_during_a_rebuild_are_caught_up_before_the_swap(services: Services, clock: Clock) -> None:
    """A fact that closes rows the bulk pass wrote lands in the rebuilt view, under the writers' lock."""
    busy_ledger(services, clock)
    seen: dict[str, tuple] = {}  # type: ignore[type-arg]

    class Interrupted(Rebuild):
        def _open_rows(self):  # type: ignore[no-untyped-def]
            # Backdated: changes intervals of a relation whose rows the bulk pass already holds.
            record_backdated_sanction(services, clock)
            seen["live"] = snapshot(services)
            return super()._open_rows()

    Interrupted(services.ledger).run()
    assert snapshot(services) == seen["live"]
    assert any(f["details"].get("regime") == "rebuild-test" for f in services.ledger.view.audit({}, 0, 1000))


def test_export_import_export_gives_identical_lines(make_services: Callable[[], Services], clock: Clock) -> None:
    """System fields (ids, positions, versions, times, principals) survive a round trip exactly."""
    source = make_services()
    busy_ledger(source, clock)
    first = list(export_lines(source.ledger, source.log.checkpoints))
    assert len(first) > 25 and '"position":1' in first[4]
    target = make_services()
    report = Importer(target.ledger, batch_size=7).run(first)
    assert (report.written, report.skipped) == (len(first) - 1, 0)  # all but the checkpoint
    assert list(export_lines(target.ledger, target.log.checkpoints)) == first
    assert snapshot(target) == snapshot(source)


def test_exports_write_system_times_with_z_and_older_exports_still_import(
    make_services: Callable[[], Services], clock: Clock
) -> None:
    """Every system time in an export is `…ffffffZ`. An export in the earlier form (a fact's and a
    milestone's `recorded_at` as `…+00:00`, without a `.000000` fraction) holds the same records:
    it hashes to the same checkpoint, and imports to a ledger that exports the lines of today."""
    lines = busy_export(make_services, clock)
    records = [json.loads(line) for line in lines[:-1]]
    times = [r[k] for r in records for k in ("recorded_at", "registered_at") if k in r]
    assert len(times) == len(records)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", t) for t in times), times
    older = [
        canonical({**r, "recorded_at": datetime.fromisoformat(r["recorded_at"]).isoformat()})
        if r["record"] in ("fact", "milestone")
        else line
        for r, line in zip(records, lines, strict=False)
    ] + lines[-1:]
    assert older != lines and all("+00:00" in line for line in older if '"record":"fact"' in line)
    assert check_expected(older, read_checkpoint(lines[-1])) == len(records)
    odd = [canonical({**json.loads(lines[4]), "recorded_at": 5}), *lines[:4], *lines[5:]]
    with pytest.raises(ImportMismatch):  # a time that is none hashes to no stored leaf
        check_expected(odd, read_checkpoint(lines[-1]))
    target = make_services()
    Importer(target.ledger, batch_size=7).run(older)
    assert list(export_lines(target.ledger, target.log.checkpoints)) == lines


def test_an_interrupted_import_resumes_without_duplicates(make_services: Callable[[], Services], clock: Clock) -> None:
    """Importing the first part, then the whole file, writes each line once."""
    lines = busy_export(make_services, clock)
    target = make_services()
    Importer(target.ledger, batch_size=5).run(lines[:12])
    report = Importer(target.ledger, batch_size=5).run(lines)
    assert (report.written, report.skipped) == (len(lines) - 1 - 12, 12)
    assert list(export_lines(target.ledger, target.log.checkpoints)) == lines


def test_an_import_whose_commit_fails_stops_there_and_resumes(
    make_services: Callable[[], Services], clock: Clock
) -> None:
    """A batch that fails to commit stops the import; nothing after it is written, and a rerun resumes."""
    lines = busy_export(make_services, clock)
    target = make_services()
    put, calls = target.ledger.events.put, []

    def failing_put(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return put(*args, **kwargs)

    target.ledger.events.put = failing_put  # type: ignore[method-assign]
    importer = Importer(target.ledger, batch_size=5)
    with pytest.raises(RuntimeError, match="went away"):
        importer.run(lines)
    assert importer.report.written == 10, "two batches committed, the third failed, none after it"
    assert len(list(export_lines(target.ledger, target.log.checkpoints))) - 1 == 10
    target.ledger.events.put = put  # type: ignore[method-assign]
    report = Importer(target.ledger, batch_size=5).run(lines)
    assert (report.written, report.skipped) == (len(lines) - 1 - 10, 10)
    assert list(export_lines(target.ledger, target.log.checkpoints)) == lines


def test_an_import_naming_an_unregistered_subject_stops_at_that_batch(
    make_services: Callable[[], Services], clock: Clock
) -> None:
    """Into an empty ledger no subject is looked up in the database: only the file's own count."""
    lines = busy_export(make_services, clock)
    n = next(i for i, line in enumerate(lines) if '"record":"fact"' in line and i >= 10)
    lines[n] = lines[n].replace('"subject":"taliban-iea"', '"subject":"nowhere"')
    target = make_services()
    with pytest.raises(NotFound, match="nowhere"):
        Importer(target.ledger, batch_size=5).run(lines)
    assert len(list(export_lines(target.ledger, target.log.checkpoints))) - 1 == n - n % 5, (
        "the batches before it, none of its own"
    )


@pytest.mark.parametrize(
    "recorded_at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2025-07-03T10:00:00"]
)
def test_an_import_line_whose_time_the_ledger_cannot_hold_stops_at_that_batch(
    make_services: Callable[[], Services], clock: Clock, recorded_at: str
) -> None:
    """Before year 1 or after 9999 once in UTC, or with no offset: the line is named, nothing of its batch written."""
    lines = busy_export(make_services, clock)
    n = next(i for i, line in enumerate(lines) if '"record":"fact"' in line and i >= 10)
    record = json.loads(lines[n])
    lines[n] = json.dumps(record | {"recorded_at": recorded_at})
    target = make_services()
    with pytest.raises(ImportMismatch, match=re.escape(f"line {n + 1}: recorded_at '{recorded_at}'")):
        Importer(target.ledger, batch_size=5).run(lines)
    assert len(list(export_lines(target.ledger, target.log.checkpoints))) - 1 == n - n % 5, (
        "the batches before it, none of its own"
    )


def test_a_big_import_commits_in_a_writer_process_with_the_same_result(
    make_services: Callable[[], Services], clock: Clock
) -> None:
    """Past `writer_after` lines, batches commit in a process of their own: same lines, same view."""
    source = make_services()
    busy_ledger(source, clock)
    first = list(export_lines(source.ledger, source.log.checkpoints))
    target = make_services()
    writers: list[int] = []  # writer processes alive as each batch is reported committed
    indexes: list[set[str]] = []

    def committed(n: int) -> None:
        writers.append(len(multiprocessing.active_children()))
        indexes.append(view_indexes(target))

    report = Importer(target.ledger, batch_size=5, writer_after=10).run(first, committed)
    assert (report.written, report.skipped) == (len(first) - 1, 0)  # all but the checkpoint
    assert writers[:2] == [0, 0], "the first 10 lines commit here"
    assert set(writers[2:]) == {1}, "the rest in one writer process"
    assert indexes[-1] == set(), "which does not make the dropped indexes again"
    assert view_indexes(target) >= {"ledger_status_recognised_until", "ledger_facts_subject"}
    assert multiprocessing.active_children() == [], "which is gone when the import is"
    assert list(export_lines(target.ledger, target.log.checkpoints)) == first
    assert snapshot(target) == snapshot(source)


def test_an_import_whose_writer_process_dies_stops_there_and_resumes(
    make_services: Callable[[], Services], clock: Clock
) -> None:
    """A writer process killed mid-import stops it; what was committed stays, and a rerun resumes."""
    lines = busy_export(make_services, clock)
    target = make_services()
    committed: list[int] = []

    def kill_the_writer_after_three(n: int) -> None:
        committed.append(n)
        if len(committed) == 3:  # two batches here, one in the writer process
            for child in multiprocessing.active_children():
                os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]

    importer = Importer(target.ledger, batch_size=5, writer_after=10)
    with pytest.raises(BrokenProcessPool):
        importer.run(lines, kill_the_writer_after_three)
    assert importer.report.written == 15
    assert len(list(export_lines(target.ledger, target.log.checkpoints))) - 1 == 15, "three batches, none after them"
    report = Importer(target.ledger, batch_size=5, writer_after=10).run(lines)
    assert (report.written, report.skipped) == (len(lines) - 1 - 15, 15)
    assert list(export_lines(target.ledger, target.log.checkpoints)) == lines


def test_only_a_store_another_process_can_open_is_shared() -> None:
    """SQLite in memory lives in this process only: an import there commits here."""
    memory = build(Settings(database_url="sqlite:///:memory:"))
    assert memory.ledger.shared_env() is None
    on_disk = build(Settings(database_url=f"sqlite:///{tempfile.mkdtemp()}/ledger.db"))
    env = on_disk.ledger.shared_env()
    assert env is not None and env["CREATE_TABLE"] == "no", "the importer's process made the tables"
    assert env["APPLICATION_RECORDER_TOPIC"].endswith("LedgerSQLiteRecorder")


def view_indexes(s: Services) -> set[str]:
    """The names of the view's secondary indexes (keys and the event store's excluded)."""
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ledger_%'"
        if s.settings.backend == "sqlite"
        else "SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'ledger_%' AND indexname NOT LIKE '%pkey'"
        " AND indexname NOT LIKE '%key'"
    )
    with s.ledger.dialect.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        c.execute(sql)
        names = {row["name"] if not isinstance(row, tuple) else row[0] for row in c.fetchall()}
    return {n for n in names if n.startswith(("ledger_facts", "ledger_status"))}


def test_an_import_into_an_empty_ledger_builds_the_indexes_at_the_end(
    make_services: Callable[[], Services], clock: Clock
) -> None:
    """The secondary indexes are dropped for the load and all back after it, even when it stops."""
    lines = busy_export(make_services, clock)
    target = make_services()
    wanted = view_indexes(target)
    assert {"ledger_status_recognised_until", "ledger_facts_subject"} <= wanted
    assert "ledger_status_open" not in wanted, "closes and timelines use the primary key"
    seen: list[set[str]] = []
    put = target.ledger.events.put

    collecting: list[bool] = []

    def watching_put(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(view_indexes(target))
        collecting.append(gc.isenabled())
        if len(seen) == 3:
            raise RuntimeError("the database went away")
        return put(*args, **kwargs)

    target.ledger.events.put = watching_put  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="went away"):
        Importer(target.ledger, batch_size=5).run(lines)
    assert seen[0] == set(), "loaded without secondary indexes"
    assert view_indexes(target) == wanted, "a stopped import leaves them all back"
    assert collecting == [False] * 3, "the cyclic collector is off while importing"
    assert gc.isenabled(), "and back on after, even when the import stopped"
    target.ledger.events.put = put  # type: ignore[method-assign]
    Importer(target.ledger, batch_size=5).run(lines)
    assert view_indexes(target) == wanted
    assert list(export_lines(target.ledger, target.log.checkpoints)) == lines
