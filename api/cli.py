"""The `ledger` command: serve, demo, data, import/export, check, status, project, tokens."""

from __future__ import annotations

import copy
import dataclasses
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api import follow_command, log_commands, read_commands, record_commands
from api.cli_runtime import err, out, print_json, services
from api.cli_runtime import settings as runtime_settings
from api.errors import outcome_of
from api.file_problem import FileProblem
from api.token_commands import tokens_app
from domain.errors import InvalidValue, RuleViolation
from infrastructure.bulk.check import stored_problems
from infrastructure.bulk.expected_checkpoint import check_expected, read_checkpoint
from infrastructure.bulk.export import export_lines
from infrastructure.bulk.importer import Importer
from infrastructure.bulk.rebuild import Rebuild
from infrastructure.bulk.workers import default_workers
from infrastructure.datasets.loader import load_demo, load_set, set_lines, set_names

app = typer.Typer(help="The Recognition Ledger.", no_args_is_help=True, pretty_exceptions_enable=False)
project_app = typer.Typer(
    help="Read models: rebuild them from the event store. There is no `project run`: no read model lags, since "
    "the status view is written in each record's own transaction.",
    no_args_is_help=True,
)
data_app = typer.Typer(help="The sourced data sets shipped with the ledger (docs/data.md).", no_args_is_help=True)
app.add_typer(project_app, name="project")
app.add_typer(tokens_app, name="tokens")
app.add_typer(data_app, name="data")
app.add_typer(log_commands.keys_app, name="keys")
app.add_typer(record_commands.facts_app, name="facts")
app.add_typer(record_commands.subjects_app, name="subjects")
app.command()(log_commands.verify)
app.command("verify-proof")(log_commands.verify_proof)
app.command()(follow_command.follow)
app.command()(read_commands.status)
app.command()(read_commands.revisions)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes")] = 1,
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    from api.http_limits import HttpLimits, LimitedConfig

    settings = runtime_settings()
    host, port = host or settings.host, port or settings.port
    say = Console(soft_wrap=True, highlight=False)
    say.print(f"Recognition Ledger on http://{host}:{port}  (database: {settings.backend})")
    say.print(f"  the map:  http://{host}:{port}/?subject=taliban-iea&at=2025-07-03")
    say.print(f"  try: curl 'http://{host}:{port}/v1/subjects/taliban-iea/recognitions?at=2025-07-03'")
    say.print(f"       curl 'http://{host}:{port}/v1/relations/RUS/taliban-iea'")
    # Our own access log (api/middleware.py) has request ids and never the Authorization header.
    options: dict[str, Any] = dict(
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        log_config=log_config(),
        server_header=False,  # no "server: uvicorn": what runs here is no client's business
        timeout_keep_alive=settings.keep_alive_timeout,
    )
    if settings.bench_without_limits:
        config = uvicorn.Config("api.app:create_app", http="httptools", **options)
    else:
        limits = HttpLimits(settings.header_limit_bytes, settings.header_limit_count, settings.request_read_timeout)
        config = LimitedConfig("api.app:create_app", limits=limits, **options)
    if workers == 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[_listening_socket(host, port)]).run()


def log_config() -> dict[str, Any]:
    """uvicorn's logging, and ours. Given to uvicorn, it is applied in every worker process
    too (worker processes start afresh: a handler set up here would not reach them)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["ledger"] = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    config["handlers"]["ledger"] = {
        "class": "logging.StreamHandler",
        "formatter": "ledger",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["ledger"] = {"handlers": ["ledger"], "level": "INFO", "propagate": False}
    return config


def _listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket made with IPPROTO_TCP, so asyncio sets TCP_NODELAY on accepted connections.

    uvicorn's own shared socket has proto 0; its workers then answer keep-alive
    requests with Nagle on, and every request waits for the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


@app.command()
def demo() -> None:
    """Load the seed facts of the article (each with its sources)."""
    with services() as s:
        n = load_demo(s.ledger)
        out.print(f"demo: {n} records loaded" if n else "demo: already loaded, nothing to do")


@app.command("export")
def export_(
    path: Annotated[Path | None, typer.Argument(help="File to write (default: standard output)")] = None,
) -> None:
    """Write the whole ledger as JSON Lines, system fields included."""
    with services() as s:
        lines = export_lines(s.ledger, s.log.checkpoints)
        if path is None:
            for line in lines:
                sys.stdout.write(line + "\n")
            return
        try:
            with path.open("w", encoding="utf-8") as f:
                count = sum(1 for line in lines if f.write(line + "\n"))
        except OSError as e:
            raise FileProblem.of(path, "write", e) from None
        err.print(f"export: {count} lines to {path}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="JSON Lines file from `ledger export`")],
    batch_size: Annotated[int, typer.Option(min=1, max=10000)] = 2000,
    expect_checkpoint: Annotated[
        Path | None, typer.Option(help="A checkpoint (or an export ending with one) the file's records must hash to")
    ] = None,
) -> None:
    """Read exported JSON Lines; lines already present are skipped, so it can resume."""
    with services() as s:
        if not path.is_file():
            raise InvalidValue("path", f"{path} is not a readable file")
        if expect_checkpoint is not None:  # before anything is written
            expected = read_checkpoint(expect_checkpoint.read_text(encoding="utf-8"))
            with path.open(encoding="utf-8") as f:
                count = check_expected(f, expected)
            err.print(f"import: the {count} records hash to the checkpoint's root")
        with path.open(encoding="utf-8") as f:
            total = sum(1 for line in f if line.strip())
        with _progress("import", total) as advance, path.open(encoding="utf-8") as f:
            report = Importer(s.ledger, batch_size).run(f, advance)
        out.print(f"import: {report.written} written, {report.skipped} already present")


@app.command()
def check(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per problem")] = False,
) -> None:
    """List stored facts that break a rule new facts are held to (exit 4 if any); they are kept, as history."""
    with services() as s:
        problems, count = stored_problems(s.ledger)
        for p in problems if as_json else ():
            print_json(dataclasses.asdict(p))
        for p in () if as_json else problems:
            out.print(
                f"{p.fact_id} {p.actor} {p.subject} {p.type} {p.effective_on} {p.rule}: {p.reason}",
                highlight=False,
                soft_wrap=True,
            )
        if not problems:
            (err if as_json else out).print(f"check: no problems in {count} facts")
            return
        err.print(f"check: {len(problems)} of {count} facts break a rule (retract them to correct the ledger)")
        raise typer.Exit(outcome_of(RuleViolation).exit_code)


@data_app.command("list")
def data_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per set")] = False,
) -> None:
    """The data sets, with the number of lines in each."""
    for name in set_names():
        if as_json:
            print_json({"name": name, "lines": len(set_lines(name))})
        else:
            out.print(f"{name}: {len(set_lines(name))} lines")


@data_app.command("load")
def data_load(
    names: Annotated[list[str] | None, typer.Argument(help="Sets to load (default: every set)")] = None,
) -> None:
    """Load data sets through the normal write path, checked by the rules; loading again writes nothing twice."""
    with services() as s:
        chosen = names or set_names()
        sizes = {name: len(set_lines(name)) for name in chosen}  # an unknown name is refused before any write
        for name in chosen:
            with _progress(f"data {name}", sizes[name]) as advance:
                report = load_set(s.ledger, name, advance)
            out.print(f"data {name}: {report.written} written, {report.present} already present")


@project_app.command("rebuild")
def project_rebuild(
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="Processes folding at once (PostgreSQL; SQLite folds in one)")
    ] = default_workers(),
) -> None:
    """Rebuild the status view from the event store and swap it in when complete."""
    with services() as s, _progress("rebuild", None) as advance:
        events = Rebuild(s.ledger, workers=workers).run(lambda done, total: advance(done, total, absolute=True))
        out.print(
            f"rebuild: {events} stored events folded (one per record, and one where each relation began), "
            "view swapped in",
            soft_wrap=True,
        )


@contextmanager
def _progress(label: str, total: int | None) -> Iterator[Callable[..., Any]]:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(label, total=total)

        def advance(done: int, total: int | None = None, absolute: bool = False) -> None:
            if absolute:
                bar.update(task, completed=done, total=total)
            else:
                bar.advance(task, done)

        yield advance
