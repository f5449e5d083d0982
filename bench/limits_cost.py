"""What the hardening limits cost: GET recognitions and POST /v1/facts with them and without.

python -m bench.limits_cost                  # 20,000 facts, 10 rounds of 4 s per figure and server
python -m bench.limits_cost --facts 100000

Two `ledger serve --workers 2` on one PostgreSQL ledger (the synthetic one, imported once): one as
shipped, one with the benchmark-only LEDGER_BENCH_WITHOUT_LIMITS (plain httptools: no header or
read limits; no check of pooled connections after a pause). The replay cap, the throttle on
failed authentication and the token checks are on both: they are not on these paths' way, or cost
a dictionary look-up. Rounds alternate which server goes first; each figure is the median round's
ratio, limited over plain.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench.measure import load, load_client, post_load
from bench.run import ADMIN_TOKEN, dataset, postgres_database, served
from infrastructure.bootstrap import build
from infrastructure.bulk.importer import Importer
from infrastructure.config.settings import Settings

app = typer.Typer(add_completion=False)
console = Console()


def median_ratio(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
    ratios = sorted((a / b if b else 0.0, a, b) for a, b in pairs)
    return ratios[len(ratios) // 2]


@app.command()
def main(
    facts: Annotated[int, typer.Option(min=100)] = 20_000,
    rounds: Annotated[int, typer.Option(min=1)] = 10,
    seconds: Annotated[float, typer.Option(min=0.5, help="Per round, figure and server")] = 4.0,
    postgres: Annotated[str, typer.Option(help="Admin URL")] = "postgresql://postgres@127.0.0.1:5432/postgres",
) -> None:
    path = dataset(facts, 1)
    reads: list[tuple[float, float]] = []
    writes: list[tuple[float, float]] = []
    with postgres_database(postgres) as url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=url, pool_size=4)
        services = build(settings)
        with path.open() as lines:
            Importer(services.ledger, batch_size=2000).run(lines)
        services.close()
        logs = Path(tmp)
        with (
            served(settings, logs / "limited.log") as (limited, _),
            served(settings, logs / "plain.log", LEDGER_BENCH_WITHOUT_LIMITS="true") as (plain, _),
        ):
            question = "/v1/subjects/subject-0000/recognitions?at=2025-07-03"
            posted = 0
            for i in range(rounds):
                order = (limited, plain) if i % 2 == 0 else (plain, limited)
                rates = {base: load(base + question, seconds).per_second for base in order}
                reads.append((rates[limited], rates[plain]))
                posts = {}
                for base in order:
                    posts[base] = post_load(base, seconds, ADMIN_TOKEN, first=posted).per_second
                    posted += int(posts[base] * seconds) + 1
                writes.append((posts[limited], posts[plain]))
                console.print(
                    f"round {i + 1}: GET {rates[limited]:,.0f} / {rates[plain]:,.0f} req/s, "
                    f"POST {posts[limited]:,.0f} / {posts[plain]:,.0f} facts/s (limited / plain)"
                )
    table = Table(title=f"the limits' cost, {facts:,} facts, PostgreSQL, {load_client()}, median of {rounds} rounds")
    for column in ("figure", "limited", "plain (same run)", "ratio", "target", "met"):
        table.add_column(column)
    for figure, pairs, unit in (
        ("GET recognitions, 2 workers", reads, "req/s"),
        ("POST /v1/facts, one client", writes, "facts/s"),
    ):
        ratio, a, b = median_ratio(pairs)
        table.add_row(
            figure, f"{a:,.0f} {unit}", f"{b:,.0f} {unit}", f"{ratio:.3f}", ">= 0.95", "yes" if ratio >= 0.95 else "no"
        )
    console.print(table)


if __name__ == "__main__":
    app()
