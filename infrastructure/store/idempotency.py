"""The one store of answers to requests sent with an Idempotency-Key: facts, registrations, tokens.

An answer is kept in the transaction of the write it answers, so a retry, even one sent while
the first request runs, is given the answer of the write that was made, and nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infrastructure.encoding.canonical import canonical, parsed
from infrastructure.encoding.rfc3339 import now_rfc3339
from infrastructure.errors import IdempotencyMismatch
from infrastructure.sql.dialect import Dialect
from infrastructure.sql.table import Table
from infrastructure.write_request import WriteRequest

REQUESTS = Table(
    "ledger_requests",
    (
        ("principal", "text", "NOT NULL"),
        ("key", "text", "NOT NULL"),
        ("hash", "text", "NOT NULL"),
        ("response", "text", "NOT NULL"),  # canonical JSON of the answer
        ("created_at", "text", "NOT NULL"),
        ("position", "bigint", ""),  # the answer's position, once the write gave it one
    ),
    primary_key=("principal", "key"),
)


@dataclass(frozen=True)
class KeptAnswer:
    """An answer to keep with the write it answers. With `positioned`, the answer's `position`
    is the position the write gives its first fact, known only inside the transaction."""

    principal: str
    key: str
    body_hash: str
    answer: dict[str, Any]
    positioned: bool = False

    def row(self, first_position: int | None) -> tuple[Any, ...]:
        """The requests table's row, in REQUESTS column order."""
        position = first_position if self.positioned else None
        return (self.principal, self.key, self.body_hash, canonical(self.answer), now_rfc3339(), position)


class IdempotencyStore:
    """Finds the answer kept for a request's key, and keeps new ones."""

    select = f"SELECT hash, response, position FROM {REQUESTS.name} WHERE principal = ? AND key = ?"
    insert = (
        f"INSERT INTO {REQUESTS.name} ({', '.join(REQUESTS.column_names)}) "
        f"VALUES ({', '.join('?' * len(REQUESTS.columns))})"
    )

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def create_table(self, cursor: Any) -> None:
        self.dialect.execute(cursor, self.dialect.create_table_sql(REQUESTS, REQUESTS.name))

    def answer(self, request: WriteRequest) -> dict[str, Any] | None:
        """The answer kept for this request's key, if any; IdempotencyMismatch if the key was
        used with another request."""
        if request.key is None:
            return None
        rows = self.dialect.rows(self.dialect.sql(self.select), [request.principal, request.key])
        if not rows:
            return None
        if rows[0]["hash"] != request.body_hash:
            raise IdempotencyMismatch(request.key)
        answer: dict[str, Any] = parsed(rows[0]["response"])
        if rows[0]["position"] is not None:
            answer["position"] = int(rows[0]["position"])
        return answer

    def answered_or(self, request: WriteRequest, refusal: Exception) -> dict[str, Any]:
        """The kept answer, if this same request (sent again while it ran) was answered
        meanwhile; otherwise the refusal."""
        done = self.answer(request)
        if done is None:
            raise refusal
        return done

    @staticmethod
    def keep(request: WriteRequest, answer: dict[str, Any], *, positioned: bool = False) -> KeptAnswer | None:
        """What to keep of this answer with the write, or None for a request without a key."""
        if request.key is None:
            return None
        return KeptAnswer(request.principal, request.key, request.body_hash or "", answer, positioned)

    def write(self, cursor: Any, kept: KeptAnswer, first_position: int | None = None) -> None:
        """Keep the answer, inside the write's transaction."""
        self.dialect.execute(cursor, self.dialect.sql(self.insert), kept.row(first_position))
