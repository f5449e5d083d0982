"""Changes that bring a ledger made by an earlier layout to this one; each is idempotent.

They run when the ledger opens, after the CREATE statements (which make only what is missing).
"""

from __future__ import annotations

from typing import Any

from infrastructure.sql.dialect import Dialect
from infrastructure.sql.postgres import PostgresDialect
from infrastructure.store.idempotency import REQUESTS
from infrastructure.view.tables import LIVE

# Indexes of earlier layouts that only cost every write their upkeep.
DROPPED_INDEXES = (
    "{status}_open",  # closes and timelines are found by the primary key
    "{status}_now_recognised",  # replaced by {status}_recognised_until, ordered by valid_to
)
# The single write's functions of earlier layouts (positions baked into stored text).
DROPPED_FUNCTIONS = (
    "ledger_record_facts(json, json, json, json, json)",
    "ledger_write(json, json, json, json, json)",
    "ledger_record(json, json, json, json, json, json, json)",
)


def migrate(dialect: Dialect, cursor: Any) -> None:
    """Run every migration, inside one transaction."""
    for name in DROPPED_INDEXES:
        dialect.execute(cursor, f"DROP INDEX IF EXISTS {name.format(**LIVE)}")
    # Kept answers take their position from this column; earlier ones have it in their text.
    if "position" not in dialect.column_names(cursor, REQUESTS.name):
        dialect.execute(cursor, f"ALTER TABLE {REQUESTS.name} ADD COLUMN position {dialect.types['bigint']}")
    if isinstance(dialect, PostgresDialect):
        for function in DROPPED_FUNCTIONS:
            dialect.execute(cursor, f"DROP FUNCTION IF EXISTS {function}")
