"""`make drills`: faults and hostile clients on one machine, each drill a line of a table.

python -m drills.run                      # the full drills, SQLite and PostgreSQL
python -m drills.run --short              # the short version CI runs
python -m drills.run --json drills.json   # the table as JSON too

Every drill stops by itself. Lost (facts the ledger acknowledged that are not stored) and doubled
(facts stored more than once) must be 0, and after each drill the view equals a replay of the
events, and a rebuild of the view equals the live one; a drill where any of that fails is marked
and the command exits 1.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench.run import dataset, postgres_database
from drills.contention import concurrent_writers
from drills.floods import slow_clients_and_floods
from drills.harness import Row
from drills.hostile import hostile_inputs
from drills.kills import kill_during_import, kill_during_rebuild, kill_under_writes
from drills.outage import database_unreachable
from infrastructure.config.settings import Settings

app = typer.Typer(add_completion=False)
console = Console(stderr=True)
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_database(backend: str, work: Path, admin_url: str) -> Iterator[Settings]:
    if backend == "sqlite":
        yield Settings(database_url=f"sqlite:///{work}/drills.db", pool_timeout=5)
        return
    with postgres_database(admin_url) as url:
        yield Settings(database_url=url, pool_timeout=5)


def busiest_subjects(export: Path, n: int = 6) -> list[str]:
    counts: Counter[str] = Counter()
    with export.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("record") == "fact":
                counts[record["subject"]] += 1
    return [subject for subject, _ in counts.most_common(n)]


def drills_for(backend: str, work: Path, admin_url: str, short: bool, facts: int, only: list[str]) -> Iterator[Row]:
    seconds = 6.0 if short else 30.0
    export = dataset(facts, 7)
    subjects = busiest_subjects(export)
    with fresh_database(backend, work, admin_url) as settings:
        steps: list[tuple[str, Callable[[], Row]]] = [
            ("import", lambda: kill_during_import(settings, work, export)),
            ("rebuild", lambda: kill_during_rebuild(settings, work, subjects)),
            ("kill", lambda: kill_under_writes(settings, work, subjects, seconds)),
        ]
        if backend == "postgres":
            steps.append(("outage", lambda: database_unreachable(settings, admin_url, work, subjects, seconds)))
        steps += [
            ("writers", lambda: concurrent_writers(settings, work, subjects, 5.0 if short else 60.0)),
            ("floods", lambda: slow_clients_and_floods(settings, work, subjects, seconds)),
            ("hostile", lambda: hostile_inputs(settings, work, subjects, 200 if short else 1000)),
        ]
        for name, step in steps:
            if only and name != "import" and name not in only:
                continue  # the import is kept: it fills the database the others run on
            started = time.monotonic()
            row = step()
            row.note = f"{row.note}; {time.monotonic() - started:.0f} s".lstrip("; ")
            console.print(f"{'held' if row.held else 'FAILED'}: {row.drill} ({backend})")
            yield row


def table(rows: list[Row]) -> Table:
    out = Table(title="make drills")
    for column in ("drill", "backend", "load held", "faults injected", "inputs", "answered by code", "lost", "doubled"):
        out.add_column(column)
    out.add_column("view = replay, rebuild = live")
    out.add_column("note")
    for r in rows:
        checks = "yes" if not r.checks else "; ".join(r.checks)
        cells = [r.drill, r.backend, r.load, r.faults, str(r.inputs), r.code_text(), str(r.lost), str(r.doubled)]
        out.add_row(*cells, checks, r.note)
    return out


@app.command()
def main(
    short: Annotated[bool, typer.Option(help="The short version: seconds, not minutes")] = False,
    backend: Annotated[list[str], typer.Option(help="sqlite, postgres")] = ["sqlite", "postgres"],  # noqa: B006
    facts: Annotated[
        int, typer.Option(min=0, help="Facts of the synthetic ledger imported first (0: 2000 short, 20000)")
    ] = 0,
    admin_url: Annotated[str, typer.Option(help="A PostgreSQL database to create the drills' one from")] = ADMIN_URL,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the rows here as JSON too")] = None,
    only: Annotated[
        list[str], typer.Option(help="Run only these: import, rebuild, kill, outage, writers, floods, hostile")
    ] = [],  # noqa: B006
) -> None:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ledger-drills-") as tmp:
        for name in backend:
            work = Path(tmp) / name
            work.mkdir()
            rows += drills_for(name, work, admin_url, short, facts or (2000 if short else 20000), only)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    Console(width=250).print(table(rows))
    Console().print(f"commit {commit or 'unknown'}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if json_out is not None:
        json_out.write_text(
            json.dumps([vars(r) | {"codes": dict(r.codes), "held": r.held} for r in rows], indent=1) + "\n"
        )
    if not all(r.held for r in rows):
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
