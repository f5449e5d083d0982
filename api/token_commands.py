"""`ledger tokens`: make, list and revoke API tokens (stored only as hashes)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.table import Table

from api.cli_runtime import err, out, print_json, services
from api.file_problem import FileProblem, read_text
from domain.errors import InvalidValue
from infrastructure.auth.tokens import Role

tokens_app = typer.Typer(help="API tokens (stored only as hashes).", no_args_is_help=True)


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option(help="reader, editor or admin")],
    name: Annotated[str | None, typer.Option(help="Principal recorded on facts")] = None,
    save: Annotated[
        Path | None,
        typer.Option(help="Keep the token in this file (owner-readable only); if it holds one that works, print it"),
    ] = None,
) -> None:
    """Make a token; it is printed once, as the last line."""
    with services() as s:
        wanted = Role.parse(role)
        if save is not None:
            kept = _kept(save)
            found = s.tokens.authenticate(kept) if kept else None
            if found is not None:
                if found.role != wanted or (name is not None and found.name != name):
                    raise InvalidValue(
                        "--save",
                        f"{save} holds a working token of {found.name} ({found.role.name.lower()}), not this one",
                    )
                err.print(f"token in {save} still works; none made", soft_wrap=True, highlight=False)
                print(kept)
                return
            with _owner_only(save) as file:  # can be written, before a token exists to be lost
                token_id, token = s.tokens.create(wanted, name)
                file.write(token + "\n")
            err.print(f"token {token_id} ({role.lower()}) created and saved in {save}", soft_wrap=True, highlight=False)
            print(token)
            return
        token_id, token = s.tokens.create(wanted, name)
        err.print(f"token {token_id} ({role.lower()}) created; keep it now, it is stored only as a hash")
        print(token)


def _kept(path: Path) -> str | None:
    """The token a file holds; None when there is no file."""
    return read_text(path).strip() if path.exists() else None


@contextmanager
def _owner_only(path: Path) -> Iterator[TextIO]:
    """The file opened for writing, readable by its owner alone from the start; emptied only when
    something is written to it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
    except OSError as e:
        raise FileProblem.of(path, "write", e) from None
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        written = io.StringIO()
        yield written
        if written.getvalue():
            file.truncate(0)
            file.write(written.getvalue())


@tokens_app.command("list")
def tokens_list(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per token")] = False) -> None:
    """Show tokens (never the tokens themselves)."""
    with services() as s:
        tokens = s.tokens.list()
        if as_json:
            print_json(*tokens)
            return
        table = Table("id", "principal", "role", "created_at", "revoked_at")
        for t in tokens:
            table.add_row(t["token_id"], t["principal"], t["role"], t["created_at"], t["revoked_at"] or "")
        out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id; a token already revoked is a conflict (exit 4)."""
    with services() as s:
        s.tokens.revoke(token_id)
        out.print(f"token {token_id} revoked")
