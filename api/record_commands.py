"""`ledger facts record` and `ledger subjects list`: a write and a read of the ledger, from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli_runtime import out, print_json, services
from api.file_problem import read_text
from api.json_body import once
from api.routes.deps import request_digest
from domain.errors import InvalidValue
from infrastructure.write_request import WriteRequest

facts_app = typer.Typer(help="Facts: record one, as POST /v1/facts does.", no_args_is_help=True)
subjects_app = typer.Typer(help="Subjects: the governments and states facts are about.", no_args_is_help=True)
PRINCIPAL = "cli"  # recorded_by of what the command line writes (a name no token can take)


@facts_app.command("record")
def facts_record(
    source: Annotated[Path, typer.Argument(help="A JSON file with the fact, as POST /v1/facts takes it; - for stdin")],
    idempotency_key: Annotated[
        str | None, typer.Option(help="A retry with the same key and fact records nothing and prints the same receipt")
    ] = None,
    if_match: Annotated[
        int | None, typer.Option(help="The relation version the fact expects (exit 5 if another)")
    ] = None,
) -> None:
    """Record one fact through the rules; print its receipt as JSON."""
    with services() as s:
        text = sys.stdin.read() if str(source) == "-" else read_text(source)
        try:
            fact = json.loads(text, object_pairs_hook=once)
        except (ValueError, RecursionError) as e:
            raise InvalidValue("fact", f"is not JSON ({e})") from None
        if not isinstance(fact, dict):
            raise InvalidValue("fact", "must be a JSON object")
        digest = request_digest("POST", "/v1/facts", fact)
        receipt = s.ledger.record_fact(fact, WriteRequest(PRINCIPAL, idempotency_key, digest, if_match))
        print_json(receipt)


@subjects_app.command("list")
def subjects_list(
    search: Annotated[
        str | None, typer.Option("--q", help="Only subjects whose id, name or an alias contains this")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per subject, as GET /v1/subjects")] = False,
) -> None:
    """Every registered subject: its id (what other commands take), name, kind and territory."""
    with services() as s:
        subjects: list[dict[str, Any]] = s.queries.subjects(search)
        if as_json:
            print_json(*subjects)
            return
        table = Table("id", "name", "kind", "territory", "milestones")
        for subject in subjects:
            table.add_row(
                subject["id"],
                subject["name"],
                subject["kind"],
                subject["territory"] or "",
                str(len(subject["milestones"])),
            )
        out.print(table)
