"""The `ledger` commands of the verifiable log: keys, verify, verify-proof."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli_runtime import err, out, services
from api.errors import outcome_of
from infrastructure.bulk.verify import verify_log
from infrastructure.bulk.workers import default_workers
from infrastructure.config.settings import get_settings
from infrastructure.errors import LogMismatch
from infrastructure.log.note import NoteError, Signer, Verifier, create_key_file
from infrastructure.log.proof_check import ProofError, check_document

keys_app = typer.Typer(help="The key that signs the log's checkpoints.", no_args_is_help=True)
MISMATCH = outcome_of(LogMismatch).exit_code


@keys_app.command("create")
def keys_create(
    path: Annotated[Path | None, typer.Argument(help="Where to write it (default: LEDGER_SIGNING_KEY_FILE)")] = None,
    if_missing: Annotated[bool, typer.Option(help="Leave an existing key as it is")] = False,
) -> None:
    """Write a new Ed25519 signing key (owner-readable only) and print its verifier key."""
    settings = get_settings()
    target = path or settings.signing_key_file
    if target is None:
        err.print("error: give a path, or set LEDGER_SIGNING_KEY_FILE")
        raise typer.Exit(2)
    if target.exists() and not if_missing:
        err.print(f"error: {target} exists; a key is never overwritten", highlight=False)
        raise typer.Exit(2)
    if not target.exists():
        create_key_file(target)
    try:
        signer = Signer.from_file(settings.log_origin, target)
    except NoteError as e:
        err.print(f"error: {e}", highlight=False)
        raise typer.Exit(2) from None
    out.print(str(signer.verifier), highlight=False, soft_wrap=True)


def verify(
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="Processes remaking leaves at once (PostgreSQL; SQLite uses one)")
    ] = default_workers(),
) -> None:
    """Recompute every leaf from the stored events and check the stored log and every checkpoint."""
    with services() as s:
        result = verify_log(s.ledger, s.log.checkpoints, workers)
        if result.problem is None:
            out.print(f"verified {result.records} records, root {result.root_b64}", highlight=False)
            out.print(f"checked {result.checkpoints} checkpoints", highlight=False)
            return
        err.print(f"verify: {result.problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(MISMATCH)


def verify_proof(
    path: Annotated[Path, typer.Argument(help="A saved answer made with proof=true, or an inclusion proof")],
    key: Annotated[str, typer.Option(help="The verifier key, as GET /v1/log/key gives it")],
) -> None:
    """Check a saved proof offline: its records' leaves, their inclusion, and the checkpoint's signature."""
    try:
        verifier = Verifier.parse(key)
        document = json.loads(path.read_text(encoding="utf-8"))
        checked = check_document(document, verifier)
    except (OSError, ValueError, NoteError, ProofError) as e:
        err.print(f"verify-proof: {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(MISMATCH) from None
    c = checked.checkpoint
    out.print(
        f"proof holds: {checked.leaves} records in {c.origin} at size {c.size}, signed by {verifier.name}",
        highlight=False,
        soft_wrap=True,
    )
