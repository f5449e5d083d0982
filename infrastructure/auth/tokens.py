"""API tokens with roles, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.errors import InvalidValue
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.errors import IdempotencyMismatch, NotFound
from infrastructure.view.base import StatusView
from infrastructure.view.rows import ViewChanges
from infrastructure.write_request import WriteRequest


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


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Creates, lists, revokes and checks tokens; the token itself is shown once."""

    create_sql = (
        "CREATE TABLE IF NOT EXISTS ledger_tokens (token_id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, "
        "principal TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
    )
    insert_sql = "INSERT INTO ledger_tokens VALUES (?, ?, ?, ?, ?, NULL)"
    find_sql = "SELECT principal, role FROM ledger_tokens WHERE hash = ? AND revoked_at IS NULL"
    list_sql = "SELECT token_id, principal, role, created_at, revoked_at FROM ledger_tokens ORDER BY created_at"
    revoke_sql = "UPDATE ledger_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL"

    def __init__(self, datastore: Any, placeholder: str, clock: Callable[[], datetime], view: StatusView) -> None:
        self.datastore = datastore
        self.placeholder = placeholder
        self.clock = clock
        self.view = view

    def _run(self, sql: str, params: tuple[Any, ...] = (), *, commit: bool = False) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=commit) as cursor:
            cursor.execute(sql.replace("?", self.placeholder), params)
            rows = cursor.fetchall() if sql.lstrip().startswith("SELECT") else []
            return [dict(r) for r in rows]

    def create_table(self) -> None:
        self._run(self.create_sql, commit=True)

    def create(self, role: Role, principal: str | None = None) -> tuple[str, str]:
        """Make a token; return (token_id, token). Only its hash is kept."""
        made = self.create_once(role, principal, WriteRequest(principal or "cli"))
        return made["token_id"], made["token"]

    def create_once(self, role: Role, principal: str | None, request: WriteRequest) -> dict[str, Any]:
        """Make a token for the API; a replayed Idempotency-Key gets the same answer without the token."""
        if request.key is not None:
            found = self.view.request(request.principal, request.key)
            if found is not None:
                if found["hash"] != request.body_hash:
                    raise IdempotencyMismatch(request.key)
                return dict(found["response"])
        token_id = secrets.token_hex(6)
        token = f"rl_{secrets.token_urlsafe(32)}"
        name = principal or f"token-{token_id}"
        answer = {"token_id": token_id, "token": None, "principal": name, "role": role.name.lower()}
        row = (token_id, _hash(token), name, role.name.lower(), rfc3339(self.clock()))
        try:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute(self.insert_sql.replace("?", self.placeholder), row)
                if request.key is not None:
                    changes = ViewChanges(request=(request.principal, request.key, request.body_hash or "", answer))
                    self.view.write_request(cursor, changes)
        except IntegrityError:
            replay = self.view.request(request.principal, request.key) if request.key else None
            if replay is None:
                raise
            return dict(replay["response"])
        return answer | {"token": token}

    def list(self) -> list[dict[str, Any]]:
        return self._run(self.list_sql)

    def revoke(self, token_id: str) -> None:
        if not any(t["token_id"] == token_id and t["revoked_at"] is None for t in self.list()):
            raise NotFound("token", token_id)
        self._run(self.revoke_sql, (rfc3339(self.clock()), token_id), commit=True)

    def authenticate(self, token: str) -> Principal | None:
        rows = self._run(self.find_sql, (_hash(token),))
        return Principal(rows[0]["principal"], Role.parse(rows[0]["role"])) if rows else None


def token_store_for(recorder: Any, clock: Callable[[], datetime]) -> TokenStore:
    placeholder = "%s" if isinstance(recorder, PostgresApplicationRecorder) else "?"
    return TokenStore(recorder.datastore, placeholder, clock, recorder.view)
