"""An export checked against a checkpoint before anything of it is written."""

from __future__ import annotations

import json
from collections.abc import Iterable

from infrastructure.errors import ImportMismatch
from infrastructure.log import merkle
from infrastructure.log.note import Checkpoint, NoteError, parse_checkpoint, split_note
from infrastructure.log.records import record_hash


def read_checkpoint(text: str) -> Checkpoint:
    """A checkpoint as served (signed or not), or the last line of an export that ends with one."""
    if text.lstrip().startswith("{"):
        last = [line for line in text.splitlines() if line.strip()][-1]
        try:
            text = json.loads(last)["checkpoint"]
        except (ValueError, KeyError, TypeError):
            raise ImportMismatch("the checkpoint file's last line is no checkpoint record") from None
    try:
        body = split_note(text)[0] if "\n\n" in text else text
        return parse_checkpoint(body)
    except NoteError as e:
        raise ImportMismatch(f"the checkpoint file: {e}") from None


def check_expected(lines: Iterable[str], expected: Checkpoint) -> int:
    """The number of records in the lines, if they hash to the checkpoint; ImportMismatch if not."""
    hashes = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise ImportMismatch(f"line {number}: not JSON ({e.msg})") from None
        if not isinstance(record, dict):
            raise ImportMismatch(f"line {number}: not a ledger record")
        if record.get("record") != "checkpoint":
            hashes.append(record_hash(record))
    if len(hashes) != expected.size:
        raise ImportMismatch(f"the file holds {len(hashes)} records; the checkpoint expects {expected.size}")
    if merkle.root(hashes) != expected.root:
        raise ImportMismatch(
            f"the file's {len(hashes)} records do not hash to the checkpoint's root: a record was changed"
        )
    return len(hashes)
