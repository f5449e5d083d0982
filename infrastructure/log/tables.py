"""The log's tables: never rebuilt from the events, since they are what the events are checked against."""

from __future__ import annotations

from infrastructure.sql.table import Index, Table

# Every record's leaf hash by its index, written in the record's transaction; a fact's id beside it.
LEAVES = Table(
    "ledger_log",
    (("log_index", "bigint", "PRIMARY KEY"), ("leaf_hash", "bytea", "NOT NULL"), ("fact_id", "uuid", "")),
)
# Hashes of complete subtrees of 2^TILE leaves and more, derived from the leaves and kept.
NODES = Table(
    "ledger_log_nodes",
    (("level", "integer", "NOT NULL"), ("idx", "bigint", "NOT NULL"), ("hash", "bytea", "NOT NULL")),
    primary_key=("level", "idx"),
)
CHECKPOINTS = Table(
    "ledger_log_checkpoints",
    (
        ("size", "bigint", "PRIMARY KEY"),
        ("root", "bytea", "NOT NULL"),
        ("note", "text", "NOT NULL"),  # the checkpoint as served: signed, or its body alone
        ("made_at", "timestamptz", "NOT NULL"),
    ),
)
TABLES = (LEAVES, NODES, CHECKPOINTS)
FACT_INDEX = Index("fact", "ledger_log", ("fact_id",), where="fact_id IS NOT NULL")
TILE = 4  # a proof reads at most 16 leaves of a tile, and hashes 15 nodes, beside the kept hashes
