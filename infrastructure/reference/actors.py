"""Who may act: ISO 3166-1 and ISO 3166-3 codes, built-in entities, registered actors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any

import pycountry

from domain.lifespan import Lifespan
from infrastructure.errors import NotFound

OPEN = Lifespan()  # most actors: no bound either side

BUILT_IN = {
    "UN": ("United Nations", "organisation"),
    "EU": ("European Union", "organisation"),
    "XKX": ("Kosovo", "entity"),
}
BUILT_IN_TERRITORIES = {"XKX"}  # a subject's territory: a state's code, or Kosovo's
# A historic code under which the data sets record the state it was renamed to also lasts as long
# as that state's code: Serbia and Montenegro's acts are recorded under YUG (docs/data.md).
CONTINUED_AS = {"YUG": "SCG"}


@dataclass(frozen=True)
class ActorInfo:
    """A known actor, where its code comes from, and the days on which it can act."""

    code: str
    name: str
    kind: str
    source: str
    lifespan: Lifespan = OPEN

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "valid_from": _day(self.lifespan.first),
            "valid_to": _day(self.lifespan.last),
        }


@lru_cache(maxsize=1)
def iso_actors() -> dict[str, ActorInfo]:
    """Current states (ISO 3166-1 alpha-3) and historic ones (ISO 3166-3 alpha-3)."""
    known = {
        c.alpha_3: ActorInfo(c.alpha_3, getattr(c, "common_name", c.name), "state", "iso3166-1")
        for c in pycountry.countries
    }
    historic = {c.alpha_3: c for c in pycountry.historic_countries}
    for code, c in historic.items():
        withdrawn = historic[CONTINUED_AS.get(code, code)].withdrawal_date
        known.setdefault(code, ActorInfo(code, c.name, "state", "iso3166-3", Lifespan(last=last_day(withdrawn))))
    for code, (name, kind) in BUILT_IN.items():
        known.setdefault(code, ActorInfo(code, name, kind, "built-in"))
    return known


@cache
def territories() -> tuple[str, ...]:
    """Every code a subject's territory can be, sorted."""
    return tuple(sorted(c for c, a in iso_actors().items() if a.source != "built-in" or c in BUILT_IN_TERRITORIES))


def known_codes() -> list[str]:
    """Every code an actor has without being registered, sorted."""
    return sorted(iso_actors())


def last_day(withdrawal: str) -> date:
    """The last day a historic state acts: the day ISO 3166-3 withdrew its code, or the last day
    of the year when only the year is given (`1977`)."""
    if len(withdrawal) == 4:
        return date(int(withdrawal), 12, 31)
    return date.fromisoformat(withdrawal)


def registered_info(body: dict[str, Any]) -> ActorInfo:
    """A registered actor as the view keeps it (bodies written before lifespans have none)."""
    first, last = body.get("valid_from"), body.get("valid_to")
    lifespan = Lifespan(date.fromisoformat(first) if first else None, date.fromisoformat(last) if last else None)
    return ActorInfo(body["code"], body["name"], body["kind"], "registered", lifespan)


@lru_cache(maxsize=1)
def iso_names() -> dict[str, str]:
    return {code: actor.name for code, actor in iso_actors().items()}


class ActorCatalogue:
    """Looks codes up in ISO 3166 and in the registered actors of the ledger.

    A registered actor once found is kept: registrations are never changed or removed. A code not
    found is asked about again (another process may have registered it since).
    """

    def __init__(self, registered: Callable[[], list[dict[str, Any]]]) -> None:
        self._registered = registered
        self._found: dict[str, ActorInfo] = {}

    def get(self, code: object, field: str = "actor") -> ActorInfo:
        """The actor with this code, or NotFound naming the field."""
        if isinstance(code, str):
            found = iso_actors().get(code) or self._found.get(code)
            if found is not None:
                return found
            for body in self._registered():
                info = registered_info(body)
                self._found[info.code] = info
            found = self._found.get(code)
            if found is not None:
                return found
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

    def iso_names(self, codes: Iterable[str]) -> dict[str, str] | None:
        """Names by code, if every code is an ISO or built-in one (named without reading the database)."""
        names = iso_names()
        try:
            return {code: names[code] for code in codes}
        except KeyError:
            return None

    def known(self, code: str) -> bool:
        try:
            self.get(code)
        except NotFound:
            return False
        return True

    def is_territory(self, code: str) -> bool:
        """Whether a code can be a subject's territory: a state's (ISO 3166-1 or -3) or Kosovo's."""
        return code in territories()

    def all(self) -> list[ActorInfo]:
        registered = [registered_info(b) for b in self._registered()]
        return sorted([*iso_actors().values(), *registered], key=lambda a: a.code)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
