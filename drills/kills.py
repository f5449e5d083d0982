"""kill -9 of the server under write load, of an import and of a rebuild."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from pathlib import Path

from drills.harness import LEDGER, Row, Server, Writers, check_consistency, count_lost_and_doubled, snapshot
from infrastructure.bootstrap import build
from infrastructure.bulk.rebuild import Rebuild
from infrastructure.config.settings import Settings
from infrastructure.store.event_reader import FACT_RECORDED, EventReader


def kill_under_writes(settings: Settings, work: Path, subjects: list[str], seconds: float) -> Row:
    """Writers post while the server is killed -9 and started again on the same port; they retry."""
    row = Row("kill -9 of the server under write load", settings.backend)
    server = Server(settings.database_url, work / "kill-writes.log")
    server.start()
    writers = Writers(server.base, 4, subjects)
    writers.start()
    try:
        time.sleep(seconds / 3)
        server.kill9()
        time.sleep(1)  # writers meet a closed port meanwhile
        server.start()
        time.sleep(seconds / 3)
        server.kill9()
        server.start()
        time.sleep(seconds / 3)
    finally:
        writers.stop()
        server.stop()
    row.load = f"4 writers, {seconds:g} s"
    row.faults = "2 × kill -9, restarted"
    row.inputs, row.codes = writers.sent, writers.codes
    count_lost_and_doubled(row, settings, writers.acknowledged)
    check_consistency(row, settings, subjects[:4])
    return row


def kill_during_import(settings: Settings, work: Path, export: Path) -> Row:
    """An import killed -9 part-way, then run again: it resumes; every record once."""
    row = Row("kill -9 during an import, then import again", settings.backend)
    env = {"LEDGER_DATABASE_URL": settings.database_url}
    lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines() if line.strip()]
    facts = [line["fact_id"] for line in lines if line.get("record") == "fact"]
    probe = build(settings)
    try:
        importer = subprocess.Popen(
            [*LEDGER, "import", str(export), "--batch-size", "50"],  # small batches: killed part-way
            env=_env(env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seen = 0
        while importer.poll() is None and seen < len(facts) // 3:
            time.sleep(0.02)
            seen = probe.ledger.view.max_position() or 0
        finished_first = importer.poll() is not None
        importer.kill()
        importer.wait()
        again = subprocess.run([*LEDGER, "import", str(export)], env=_env(env), capture_output=True, text=True)
    finally:
        probe.close()
    row.load = f"{len(lines)} records"
    row.faults = "none: the import ended first" if finished_first else f"kill -9 at {seen} of {len(facts)} facts"
    row.inputs = len(lines)
    row.codes = Counter({f"exit {again.returncode}": 1})
    stored = _stored_fact_ids(settings)
    row.lost = sum(1 for fact_id in facts if stored[fact_id] == 0)
    row.doubled = sum(n - 1 for n in stored.values() if n > 1)
    if again.returncode != 0:
        row.checks.append(f"the second import exited {again.returncode}: {again.stderr.strip()[-200:]}")
    check_consistency(row, settings, _some_subjects(lines))
    return row


def kill_during_rebuild(settings: Settings, work: Path, subjects: list[str]) -> Row:
    """`ledger project rebuild` killed -9 part-way: the live view stays whole; a rebuild after it equals it."""
    row = Row("kill -9 during a rebuild, then rebuild again", settings.backend)
    env = {"LEDGER_DATABASE_URL": settings.database_url}
    command = [*LEDGER, "project", "rebuild"]
    services = build(settings)
    try:
        live = snapshot(services)
        started = time.monotonic()
        events = Rebuild(services.ledger).run()
        rebuilding = time.monotonic() - started
        started = time.monotonic()
        subprocess.run(command, env=_env(env), capture_output=True, check=True)
        whole = time.monotonic() - started  # the command's start-up, then the rebuild
        rebuild = subprocess.Popen(command, env=_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(max(0.1, whole - rebuilding / 2))  # half-way through the rebuild itself
        running = rebuild.poll() is None
        rebuild.kill()
        rebuild.wait()
        after_kill = snapshot(services)
    finally:
        services.close()
    again = subprocess.run([*LEDGER, "project", "rebuild"], env=_env(env), capture_output=True, text=True)
    row.load = f"a rebuild of {rebuilding:.1f} s"
    row.inputs = events  # the events each rebuild folds
    row.faults = "kill -9 while it ran" if running else "none: the rebuild ended first"
    row.codes = Counter({f"exit {again.returncode}": 1})
    if after_kill != live:
        row.checks.append("the view changed when the rebuild was killed")
    if again.returncode != 0:
        row.checks.append(f"the rebuild after exited {again.returncode}")
    check_consistency(row, settings, subjects[:4])
    services = build(settings)
    try:
        if snapshot(services) != live:
            row.checks.append("the view after the second rebuild differs from before")
    finally:
        services.close()
    return row


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}


def _stored_fact_ids(settings: Settings) -> Counter[str]:
    services = build(settings)
    try:
        return Counter(
            str(event.fact.fact_id) for _, event in EventReader(services.ledger).events(topics=[FACT_RECORDED])
        )
    finally:
        services.close()


def _some_subjects(lines: list[dict[str, object]]) -> list[str]:
    counts = Counter(str(line["subject"]) for line in lines if line.get("record") == "fact")
    return [subject for subject, _ in counts.most_common(4)]
