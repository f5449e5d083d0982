"""Registered actors: organisations and entities that have no ISO 3166 code."""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue
from domain.relation import NAMESPACE

CODE = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")


class ActorKind(Enum):
    """What sort of actor a registered code names."""

    STATE = "state"
    ORGANISATION = "organisation"
    ENTITY = "entity"


def check_code(code: object) -> str:
    """An actor code: upper-case letters, digits, '_' or '-', 2 to 16 long."""
    if not isinstance(code, str) or not CODE.match(code):
        raise InvalidValue("code", f"{code!r} is not an actor code like 'UN' or 'XKX'")
    return code


class RegisteredActor(Aggregate):
    """An actor registered by an admin, beside the ISO 3166 codes."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return uuid5(NAMESPACE, f"actor/{code}")

    @event("Registered")
    def __init__(self, code: str, name: str, kind: ActorKind, registered_at: datetime) -> None:
        self.code = code
        self.name = name
        self.kind = kind
        self.registered_at = registered_at
