"""Who may act: ISO 3166-1 and ISO 3166-3 codes, built-in entities, registered actors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

from infrastructure.errors import NotFound

BUILT_IN = {
    "UN": ("United Nations", "organisation"),
    "EU": ("European Union", "organisation"),
    "XKX": ("Kosovo", "entity"),
}


@dataclass(frozen=True)
class ActorInfo:
    """A known actor and where its code comes from."""

    code: str
    name: str
    kind: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind, "source": self.source}


@lru_cache(maxsize=1)
def iso_actors() -> dict[str, ActorInfo]:
    """Current states (ISO 3166-1 alpha-3) and historic ones (ISO 3166-3 alpha-3)."""
    known = {
        c.alpha_3: ActorInfo(c.alpha_3, getattr(c, "common_name", c.name), "state", "iso3166-1")
        for c in pycountry.countries
    }
    for c in pycountry.historic_countries:
        known.setdefault(c.alpha_3, ActorInfo(c.alpha_3, c.name, "state", "iso3166-3"))
    for code, (name, kind) in BUILT_IN.items():
        known.setdefault(code, ActorInfo(code, name, kind, "built-in"))
    return known


class ActorCatalogue:
    """Looks codes up in ISO 3166 and in the registered actors of the ledger."""

    def __init__(self, registered: Callable[[], list[dict[str, Any]]]) -> None:
        self._registered = registered

    def get(self, code: object, field: str = "actor") -> ActorInfo:
        """The actor with this code, or NotFound naming the field."""
        if isinstance(code, str):
            found = iso_actors().get(code)
            if found is not None:
                return found
            for body in self._registered():
                if body["code"] == code:
                    return ActorInfo(code, body["name"], body["kind"], "registered")
        raise NotFound("actor", str(code), field)

    def names(self, codes: Iterable[str]) -> dict[str, str]:
        """Display names by code; registered actors are read at most once for the lot."""
        known, out, registered = iso_actors(), {}, None
        for code in codes:
            found = known.get(code)
            if found is None:
                if registered is None:
                    registered = {b["code"]: b["name"] for b in self._registered()}
                out[code] = registered.get(code, code)
            else:
                out[code] = found.name
        return out

    def all_iso(self, codes: Iterable[str]) -> bool:
        """Whether every code is an ISO or built-in one, named without reading the database."""
        known = iso_actors()
        return all(code in known for code in codes)

    def known(self, code: str) -> bool:
        try:
            self.get(code)
        except NotFound:
            return False
        return True

    def is_iso(self, code: str) -> bool:
        return code in iso_actors()

    def all(self) -> list[ActorInfo]:
        registered = [ActorInfo(b["code"], b["name"], b["kind"], "registered") for b in self._registered()]
        return sorted([*iso_actors().values(), *registered], key=lambda a: a.code)
