"""Registered actors: organisations and entities that have no ISO 3166 code."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue
from domain.lifespan import Lifespan
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

    class Registered(Aggregate.Created):
        """An actor was registered, with the days it exists (either side may be open)."""

        code: str
        name: str
        kind: ActorKind
        registered_at: datetime
        valid_from: date | None
        valid_to: date | None

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Actors registered before lifespans existed have open ones."""
            state["valid_from"] = state["valid_to"] = None

    @staticmethod
    def create_id(code: str) -> UUID:
        return uuid5(NAMESPACE, f"actor/{code}")

    @event(Registered)
    def __init__(
        self,
        code: str,
        name: str,
        kind: ActorKind,
        registered_at: datetime,
        valid_from: date | None = None,
        valid_to: date | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.kind = kind
        self.registered_at = registered_at
        self.valid_from = valid_from
        self.valid_to = valid_to

    @property
    def lifespan(self) -> Lifespan:
        return Lifespan(self.valid_from, self.valid_to)
