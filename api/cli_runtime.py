"""What every `ledger` command shares: its consoles, and the services it runs on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from api.errors import detail, outcome_for
from infrastructure.bootstrap import Services, build
from infrastructure.config.settings import Settings, get_settings

out = Console()
err = Console(stderr=True)


def print_json(*values: Any) -> None:
    """`--json` output: each value as one line of JSON."""
    for value in values:
        print(json.dumps(value, ensure_ascii=False, default=str))


def settings() -> Settings:
    """This process's settings; a bad one is reported in a line, naming it, and exits 2."""
    try:
        return get_settings()
    except ValidationError as error:
        for problem in error.errors():
            name = "LEDGER_" + "_".join(str(p) for p in problem["loc"]).upper()
            message = problem["msg"].removeprefix("Value error, ")
            err.print(f"[red]error:[/red] {escape(name)}: {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@contextmanager
def services() -> Iterator[Services]:
    """Build the services for one command; report errors in one line, never a traceback."""
    built: Services | None = None
    try:
        built = build(settings())
        yield built
    except typer.Exit:
        raise
    except Exception as error:  # every failure becomes one line and an exit code
        found = outcome_for(error)
        message = detail(error) if found else f"{type(error).__name__}: {error}"
        # One line however long, and the message as written: it may quote a file's "[text]".
        err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(found.exit_code if found else 1) from None
    finally:
        if built is not None:
            built.close()
