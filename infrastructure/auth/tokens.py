"""API tokens with roles, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.errors import InvalidValue
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.errors import AlreadyExists, AlreadyRevoked, NotFound
from infrastructure.sql.dialect import Dialect
from infrastructure.sql.table import Table
from infrastructure.store.idempotency import IdempotencyStore
from infrastructure.write_request import WriteRequest

TOKENS = Table(
    "ledger_tokens",
    (
        ("token_id", "text", "PRIMARY KEY"),
        ("hash", "text", "NOT NULL UNIQUE"),
        ("principal", "text", "NOT NULL"),
        ("role", "text", "NOT NULL"),
        ("created_at", "text", "NOT NULL"),
        ("revoked_at", "text", ""),
    ),
)


class Role(IntEnum):
    """reader < editor < admin."""

    READER = 1
    EDITOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.upper()]
        except KeyError:
            raise InvalidValue("role", f"{text!r} is not one of reader, editor, admin") from None


@dataclass(frozen=True)
class Principal:
    """Who is calling, and with which role."""

    name: str
    role: Role


# A principal's name is written into every fact it records and into the logs: short, plain, and
# one per active token, so that `recorded_by` and the idempotency keys tell principals apart.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
RESERVED = frozenset({"admin", "demo", "data", "cli"})  # the bootstrap admin's and the loaders' names


def checked_name(name: str) -> str:
    if not NAME.match(name):
        raise InvalidValue("name", "must be 1 to 64 of A-Z, a-z, 0-9, . _ @ and -, starting with a letter or digit")
    if name.lower() in RESERVED:
        raise InvalidValue("name", f"{name!r} is the ledger's own principal; choose another name")
    return name


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Creates, lists, revokes and checks tokens; the token itself is shown once."""

    insert_sql = "INSERT INTO ledger_tokens VALUES (?, ?, ?, ?, ?, NULL)"
    find_sql = "SELECT principal, role FROM ledger_tokens WHERE hash = ? AND revoked_at IS NULL"
    list_sql = "SELECT token_id, principal, role, created_at, revoked_at FROM ledger_tokens ORDER BY created_at"
    revoke_sql = "UPDATE ledger_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL"

    def __init__(self, dialect: Dialect, answers: IdempotencyStore, clock: Callable[[], datetime]) -> None:
        self.dialect = dialect
        self.answers = answers
        self.clock = clock

    def create_table(self) -> None:
        with self.dialect.schema_lock(), self.dialect.writing() as cursor:
            self.dialect.execute(cursor, self.dialect.create_table_sql(TOKENS, TOKENS.name))

    def create(self, role: Role, principal: str | None = None) -> tuple[str, str]:
        """Make a token; return (token_id, token). Only its hash is kept."""
        made = self.create_once(role, principal, WriteRequest(principal or "cli"))
        return made["token_id"], made["token"]

    def create_once(self, role: Role, principal: str | None, request: WriteRequest) -> dict[str, Any]:
        """Make a token for the API; a retry with its Idempotency-Key gets the same answer without the token."""
        done = self.answers.answer(request)
        if done is not None:
            return done
        token_id = secrets.token_hex(6)
        token = f"rl_{secrets.token_urlsafe(32)}"
        name = checked_name(principal) if principal is not None else f"token-{token_id}"
        answer = {"token_id": token_id, "token": None, "principal": name, "role": role.name.lower()}
        row = (token_id, _hash(token), name, role.name.lower(), rfc3339(self.clock()))
        kept = self.answers.keep(request, answer)
        try:
            with self.dialect.schema_lock():  # tokens are made rarely: one at a time keeps names unique
                done = self.answers.answer(request)  # a retry that waited for the lock gets the first's answer
                if done is not None:
                    return done
                if any(t["principal"].lower() == name.lower() and t["revoked_at"] is None for t in self.list()):
                    raise AlreadyExists("an active token named", name)
                with self.dialect.writing() as cursor:
                    self.dialect.execute(cursor, self.dialect.sql(self.insert_sql), row)
                    if kept is not None:
                        self.answers.write(cursor, kept)
        except IntegrityError:
            done = self.answers.answer(request)
            if done is None:
                raise
            return done
        return answer | {"token": token}

    def list(self) -> list[dict[str, Any]]:
        return self.dialect.rows(self.dialect.sql(self.list_sql), [])

    def revoke(self, token_id: str) -> None:
        found = [t for t in self.list() if t["token_id"] == token_id]
        if not found:
            raise NotFound("token", token_id)
        if found[0]["revoked_at"] is not None:
            raise AlreadyRevoked(f"token {token_id} was already revoked at {found[0]['revoked_at']}")
        with self.dialect.writing() as cursor:
            self.dialect.execute(cursor, self.dialect.sql(self.revoke_sql), (rfc3339(self.clock()), token_id))

    def authenticate(self, token: str) -> Principal | None:
        rows = self.dialect.rows(self.dialect.sql(self.find_sql), [_hash(token)])
        return Principal(rows[0]["principal"], Role.parse(rows[0]["role"])) if rows else None
