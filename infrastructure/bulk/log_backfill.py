"""The log of a ledger made before the log existed, built once from its events when it opens."""

from __future__ import annotations

from infrastructure.bulk.stored_records import stored_records
from infrastructure.log.records import record_hash
from infrastructure.log.tree import Leaf
from infrastructure.write.ledger import Ledger


def log_missing(ledger: Ledger) -> bool:
    """Whether the ledger holds events but no leaf: its log is to be built."""
    return ledger.tree.size() == 0 and bool(ledger.recorder.max_notification_id())


def build_log(ledger: Ledger) -> int:
    """Append a leaf for every stored record, with writes held off until it is done; how many."""
    with ledger.dialect.writing() as cursor:
        ledger.dialect.lock_writers(cursor)
        if ledger.tree.size():  # another process built it while this one waited
            return 0
        leaves = [Leaf(record_hash(r), r["fact_id"] if r["record"] == "fact" else None) for r in stored_records(ledger)]
        ledger.tree.append(cursor, leaves)
    ledger.tree.fill(len(leaves))
    return len(leaves)
