"""GET recognitions as the app serves it (api/routes/recognitions.py), beside a variant, on PostgreSQL.

python -m bench.hot_route                       # 100,000 facts, 6 rounds of 5 s per variant
python -m bench.hot_route --against threads     # the route as it is, but read in the thread pool
python -m bench.hot_route --facts 20000 --rounds 4 --seconds 3

A fresh database gets the synthetic ledger through `ledger import`; two servers, each as
`ledger serve --workers 2` starts it, listen on loopback: one with the app as it is, one with the
variant: `framework`, the route written as the other status reads are (a plain route of the reads
router: its dependency, generated parameters, response_model, the thread pool and the one pool), or
`threads`, the route as it is without its asynchronous pool. wrk loads the largest subject's
recognitions on each in turn, in alternating rounds (this machine's CPU share varies from second
to second); the median of the rounds' ratios is the figure. The database and the generated file
are removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import psycopg
import typer
from fastapi import FastAPI

from api.app import create_app
from api.parsing import system_time
from api.routes import reads
from api.routes import recognitions as hot
from api.routes.deps import At, Mode, RecordedAt, plain
from api.routes.reads import Q
from api.status_models import Recognitions
from bench.generate import Generator
from bench.measure import children, load, wait_until_ready
from domain.dates import parse_day
from infrastructure.read.awaited import AwaitedReads
from infrastructure.read.queries import on

HOST = "127.0.0.1"  # loopback only
PATH = "/v1/subjects/{subject_id}/recognitions"
app = typer.Typer(add_completion=False)


def recognitions(
    subject_id: str, q: Q, at: At = None, recorded_at: RecordedAt = None, mode: Mode = "view"
) -> dict[str, Any]:
    """Who recognised the subject on `at`, as the ledger held it at `recorded_at`."""
    return q.recognitions(plain(subject_id, "subject_id") or "", parse_day(at, "at"), system_time(recorded_at), mode)


def framework_app() -> FastAPI:
    """The app with `recognitions` above as a plain route of the reads router, where that router
    would have it (after /v1/actors), and api/routes/recognitions.py's router left empty."""
    hot.router.routes.clear()
    reads.router.get("/subjects/{subject_id}/recognitions", response_model=Recognitions)(recognitions)
    routes = reads.router.routes
    added = routes.pop()
    routes.insert(next(i for i, r in enumerate(routes) if getattr(r, "endpoint", None) is reads.list_actors) + 1, added)
    return create_app()


@asynccontextmanager
async def no_pool(app: FastAPI) -> AsyncIterator[None]:
    app.state.awaited = None
    yield


def threads_app() -> FastAPI:
    """The app as it is, but with no asynchronous pool: the route reads in the thread pool."""
    hot.awaited_reads = no_pool  # type: ignore[assignment]
    return create_app()


# The answer as it was before it carried evidence: the covering index's columns, no join, no names.
BARE = (
    "SELECT actor, form, rec_since FROM ledger_status WHERE subject = %s AND recognised "
    "AND sys_to = 'infinity' AND valid_from <= %s AND valid_to > %s ORDER BY rec_since, actor"
)


async def bare_recognitions(
    self: AwaitedReads, subject: str, at: date | None, recorded_at: datetime | None
) -> dict[str, Any]:
    """`AwaitedReads.recognitions` without evidence: who, in which form, since when."""
    d, _, shown = self.queries.when(at, recorded_at)
    day = on(d)
    async with self.pool.connection() as conn:
        sql = BARE.replace("'infinity'", self.view.dialect.end_literal)
        rows = await (await conn.execute(sql.encode(), [subject, day, day], prepare=True)).fetchall()
    entries = [{"actor": a, "form": f, "since": s} for a, f, s in rows]
    return {"subject": subject, "at": d.isoformat(), "recorded_at": shown, "recognised_by": entries, "count": len(rows)}


def bare_app() -> FastAPI:
    """The app as it is, but the recognitions answer without evidence (the shape before it had any)."""
    AwaitedReads.recognitions = bare_recognitions  # type: ignore[method-assign]
    return create_app()


VARIANTS = {
    "framework": "bench.hot_route:framework_app",
    "threads": "bench.hot_route:threads_app",
    "bare": "bench.hot_route:bare_app",
}


def serve(factory: str, port: int) -> None:
    """`ledger serve --workers 2` (its config, its listening socket) with the app from `factory`."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from api.cli import _listening_socket, log_config

    config = uvicorn.Config(
        factory,
        factory=True,
        host=HOST,
        port=port,
        workers=2,
        log_level="info",
        access_log=False,
        log_config=log_config(),
    )
    Multiprocess(config, sockets=[_listening_socket(HOST, port)]).run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"ledger_hot_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}".encode())
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())


@dataclass
class Server:
    base: str
    pid: int

    def cpu(self) -> float:
        """CPU seconds so far of the server's processes (the supervisor and its workers)."""
        ticks, pids = 0, [self.pid]
        while pids:
            pid = pids.pop()
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/stat").read_text()
                ticks += sum(int(n) for n in text[text.rindex(")") + 2 :].split()[11:13])  # utime, stime
                pids += children(pid)
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(factory: str, env: dict[str, str], log: Path) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, "-c", f"from bench.hot_route import serve; serve({factory!r}, {port})"]
    with log.open("w") as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://{HOST}:{port}"
    try:
        try:
            wait_until_ready(base)
        except RuntimeError:
            print(log.read_text()[-3000:], file=sys.stderr)
            raise
        yield Server(base, process.pid)
    finally:
        process.terminate()
        process.wait(20)


def largest_subject(path: Path) -> tuple[str, int]:
    actors: dict[str, set[str]] = {}
    for line in path.open():
        if '"record":"fact"' in line:
            fact = json.loads(line)
            actors.setdefault(fact["subject"], set()).add(fact["actor"])
    subject = max(actors, key=lambda s: len(actors[s]))
    return subject, len(actors[subject])


def same_answers(base: str, other: str, path: str, shape: bool = True) -> int:
    """Both give the same bytes for a fixed system time, and the same answer but the time for now;
    the number of actors in it. Without `shape`, only the same actors in the same order."""
    if not shape:
        answers = [httpx.get(url + path + "?at=2025-07-03").json() for url in (base, other)]
        assert [[r["actor"] for r in a["recognised_by"]] for a in answers] == [
            [r["actor"] for r in answers[0]["recognised_by"]]
        ] * 2
        return int(answers[0]["count"])
    for query in ("?at=2025-07-03&recorded_at=2030-01-01T00:00:00Z", "?at=1990-01-01&recorded_at=2020-06-01T00:00:00Z"):
        a, b = httpx.get(base + path + query), httpx.get(other + path + query)
        assert a.status_code == b.status_code == 200 and a.content == b.content, (a.text, b.text)
        assert a.headers["content-type"] == b.headers["content-type"], (a.headers, b.headers)
    now = [httpx.get(url + path + "?at=2025-07-03").json() | {"recorded_at": None} for url in (base, other)]
    assert now[0] == now[1], now
    return int(now[0]["count"])


@app.command()
def main(
    against: Annotated[str, typer.Option(help="The variant: framework, threads or bare")] = "framework",
    facts: Annotated[int, typer.Option(min=1000, max=1_000_000, help="Synthetic facts")] = 100_000,
    seed: Annotated[int, typer.Option(help="Seed of the generator")] = 1,
    rounds: Annotated[int, typer.Option(min=1, max=20, help="Rounds per variant")] = 6,
    seconds: Annotated[int, typer.Option(min=1, max=30, help="Seconds per round and variant")] = 5,
    connections: Annotated[int, typer.Option(min=1, max=64, help="wrk connections")] = 8,
    postgres: Annotated[str, typer.Option(help="A PostgreSQL URL that may create databases")] = os.environ.get(
        "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
) -> None:
    """Import, serve the app and the variant, load them in alternating rounds; print each round and
    the median ratio."""
    if against not in VARIANTS:
        raise typer.BadParameter(f"--against is one of {', '.join(VARIANTS)}")
    if not shutil.which("wrk"):
        raise typer.BadParameter("needs wrk (the Python client is too slow to tell the two apart)")
    with tempfile.TemporaryDirectory() as tmp, postgres_database(postgres) as url:
        data = Path(tmp) / "facts.jsonl"
        with data.open("w") as f:
            for line in Generator(facts, seed).lines():
                f.write(line + "\n")
        subject, actors = largest_subject(data)
        env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_POOL_SIZE": "4", "LEDGER_POOL_MAX_OVERFLOW": "8"}
        ledger = [sys.executable, "-c", "from api.cli import app; app()"]
        subprocess.run([*ledger, "import", str(data)], env=env, check=True, stdout=subprocess.DEVNULL)
        path = f"/v1/subjects/{subject}/recognitions"
        with (
            server("api.app:create_app", env, Path(tmp) / "app.log") as base,
            server(VARIANTS[against], env, Path(tmp) / "variant.log") as other,
        ):
            count = same_answers(base.base, other.base, path, shape=against != "bare")
            servers = {"app": base, against: other}
            urls = {name: f"{s.base}{path}?at=2025-07-03" for name, s in servers.items()}
            for each in urls.values():
                load(each, 2, connections)  # warm up: connections made, statements prepared
            print(f"{facts:,} facts; {subject}: {actors} actors, {count} recognising it on 2025-07-03")
            print(f"each round and variant: wrk -t2 -c{connections} -d{seconds}s {urls['app']} (or the other port)")
            ratios, costs = [], []
            for n in range(rounds):
                got: dict[str, tuple[float, float]] = {}  # requests/s, server CPU µs per request
                for name in list(urls) if n % 2 == 0 else list(reversed(urls)):
                    cpu = servers[name].cpu()
                    rate = load(urls[name], seconds, connections).per_second
                    got[name] = rate, (servers[name].cpu() - cpu) / (rate * seconds) * 1e6
                    time.sleep(0.5)
                ratios.append(got[against][0] / got["app"][0])
                costs.append(got[against][1] / got["app"][1])
                print(
                    f"round {n + 1:2}: app {got['app'][0]:7.1f} req/s {got['app'][1]:5.0f} µs CPU/req   "
                    f"{against} {got[against][0]:7.1f} req/s {got[against][1]:5.0f} µs CPU/req   "
                    f"{against}/app {ratios[-1]:.3f} req/s, {costs[-1]:.3f} CPU/req"
                )
            print(
                f"median {against}/app: {statistics.median(ratios):.3f} of the requests/s, "
                f"{statistics.median(costs):.3f} of the server CPU per request"
            )


if __name__ == "__main__":
    app()
