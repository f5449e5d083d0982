"""Export of the whole ledger as JSON Lines, system fields kept, ending with its checkpoint.

One line per record, in ledger order (subjects, milestones, actors and facts), each with its
`log_index`; the last line is the checkpoint of the records before it. Export, import into an
empty ledger, export again: the same lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventsourcing.application import Application

from infrastructure.bulk.stored_records import stored_records
from infrastructure.encoding.canonical import canonical
from infrastructure.errors import LogMismatch
from infrastructure.log import merkle
from infrastructure.log.checkpoints import Checkpoints
from infrastructure.log.records import record_hash, shown


def export_lines(app: Application[Any], checkpoints: Checkpoints) -> Iterator[str]:
    """Every stored record as one canonical JSON line, in ledger order, then the checkpoint."""
    position = 0
    hashes: list[bytes] = []
    for index, record in enumerate(stored_records(app)):
        hashes.append(record_hash(record))
        line = {**shown(record), "log_index": index}
        if record["record"] == "fact":
            position += 1
            line["position"] = position
        yield canonical(line)
    stored = checkpoints.make(len(hashes))
    if stored.checkpoint.root != merkle.root(hashes):
        raise LogMismatch(
            f"the stored records do not hash to the log's root at {len(hashes)} leaves; `ledger verify` names where"
        )
    yield canonical({"record": "checkpoint", "checkpoint": stored.note})
