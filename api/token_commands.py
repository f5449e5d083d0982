"""`ledger tokens`: make, list and revoke API tokens (stored only as hashes)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_runtime import err, out, services
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
        if save is not None and save.is_file():
            kept = save.read_text(encoding="utf-8").strip()
            if kept and s.tokens.authenticate(kept) is not None:
                err.print(f"token in {save} still works; none made", soft_wrap=True, highlight=False)
                print(kept)
                return
        token_id, token = s.tokens.create(Role.parse(role), name)
        err.print(f"token {token_id} ({role.lower()}) created; keep it now, it is stored only as a hash")
        if save is not None:
            save.write_text(token + "\n", encoding="utf-8")
            os.chmod(save, 0o600)
            err.print(f"token saved in {save}", soft_wrap=True, highlight=False)
        print(token)


@tokens_app.command("list")
def tokens_list(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per token")] = False) -> None:
    """Show tokens (never the tokens themselves)."""
    with services() as s:
        tokens = s.tokens.list()
        if as_json:
            for t in tokens:
                print(json.dumps(t, ensure_ascii=False))
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
