"""A table and an index, defined once in portable types, for a dialect to render."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A table: its logical name, columns as (name, portable type, constraint), and primary key."""

    name: str
    columns: tuple[tuple[str, str, str], ...]
    primary_key: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c[0] for c in self.columns)


@dataclass(frozen=True)
class Index:
    """A secondary index, named `{table}_{suffix}`.

    `covering` columns are carried for index-only reads (PostgreSQL INCLUDEs them; SQLite puts
    them in the key, with the columns of `where` too, or it will not read from the index alone).
    """

    suffix: str
    table: str
    key: tuple[str, ...]
    covering: tuple[str, ...] = ()
    where: str = ""  # END stands for the dialect's literal end of system time
    where_columns: tuple[str, ...] = ()
