"""The view's tables and indexes, defined once; each backend's dialect renders them."""

from __future__ import annotations

from infrastructure.sql.table import Index, Table

# Logical table -> table name: the live view, and the one a rebuild fills before swapping it in.
LIVE = {"facts": "ledger_facts", "status": "ledger_status", "subjects": "ledger_subjects", "actors": "ledger_actors"}
SHADOW = {k: v + "_rebuild" for k, v in LIVE.items()}


FACTS = Table(
    "facts",
    (
        ("position", "bigint", "PRIMARY KEY"),
        ("fact_id", "uuid", "NOT NULL UNIQUE"),
        ("relation_id", "uuid", "NOT NULL"),
        ("relation_version", "integer", "NOT NULL"),
        ("actor", "text", "NOT NULL"),
        ("subject", "text", "NOT NULL"),
        ("type", "text", "NOT NULL"),
        ("effective_start", "date", "NOT NULL"),
        ("recorded_at", "timestamptz", "NOT NULL"),
        ("recorded_by", "text", "NOT NULL"),
        ("target", "uuid", ""),
        ("body", "text", "NOT NULL"),  # canonical JSON of the fact, without its position
    ),
)
STATUS = Table(
    "status",
    (
        ("relation_id", "uuid", "NOT NULL"),
        ("actor", "text", "NOT NULL"),
        ("subject", "text", "NOT NULL"),
        ("valid_from", "date", "NOT NULL"),
        ("valid_to", "date", "NOT NULL"),
        ("sys_from", "timestamptz", "NOT NULL"),
        ("sys_to", "timestamptz", "NOT NULL"),
        ("recognised", "boolean", "NOT NULL"),
        ("form", "text", ""),
        ("rec_since", "date", ""),
        ("rec_fact", "uuid", ""),  # the recognition's deciding fact, its precision and its own flags
        ("rec_precision", "text", ""),
        ("rec_approximate", "boolean", "NOT NULL"),
        ("rec_disputed", "boolean", "NOT NULL"),
        ("level", "text", "NOT NULL"),
        ("status", "text", "NOT NULL"),  # canonical JSON of the status
    ),
    primary_key=("relation_id", "valid_from", "sys_from"),
)
SUBJECTS = Table("subjects", (("slug", "text", "PRIMARY KEY"), ("body", "text", "NOT NULL")))
ACTORS = Table("actors", (("code", "text", "PRIMARY KEY"), ("body", "text", "NOT NULL")))
TABLES = (FACTS, STATUS, SUBJECTS, ACTORS)

FACT_COLUMNS = FACTS.column_names
MAX_POSITION = "SELECT COALESCE(MAX(position), 0) AS n FROM {facts}"  # the last fact's position, 0 if none
STATUS_COLUMNS = STATUS.column_names

INDEXES = (
    Index("relation", "facts", ("relation_id", "position")),
    Index("subject", "facts", ("subject", "position")),
    Index("actor", "facts", ("actor", "position")),
    Index("target", "facts", ("target",), where="target IS NOT NULL"),
    Index("subject", "status", ("subject", "valid_from", "sys_to")),
    Index("actor", "status", ("actor", "valid_from", "sys_to")),
    # Recognitions read only recognised rows.
    Index("recognised", "status", ("subject", "recognised", "sys_to", "valid_from")),
    # Who recognises now: open recognised rows, by valid_to so a recent date reads only the
    # intervals that reach it.
    Index(
        "recognised_until",
        "status",
        ("subject", "valid_to"),
        covering=(
            "valid_from",
            "actor",
            "form",
            "rec_since",
            "rec_precision",
            "rec_fact",
            "rec_approximate",
            "rec_disputed",
        ),
        where="recognised AND sys_to = END",
        where_columns=("recognised", "sys_to"),
    ),
)
