"""Stored facts' bodies kept in the process: a fact and its position never change once written."""

from __future__ import annotations

from collections.abc import Iterable
from threading import Lock

Body = tuple[int, str]  # position, canonical JSON of the fact


class FactBodies:
    """Bodies by fact id, at most `size` of them; the oldest kept goes first.

    The answers that show evidence name the same deciding facts again and again (a subject's
    recognitions, asked many times a second); keeping their text spares the database a lookup
    per fact and the answer a parse of each.
    """

    def __init__(self, size: int = 1 << 14) -> None:
        self.size = size
        self.kept: dict[str, Body] = {}
        self.lock = Lock()

    def take(self, fact_ids: Iterable[str]) -> tuple[dict[str, Body], list[str]]:
        """The kept bodies of these facts, and the ids of those not kept."""
        found, missing, get = {}, [], self.kept.get
        for i in fact_ids:
            body = get(i)
            if body is None:
                missing.append(i)
            else:
                found[i] = body
        return found, missing

    def put(self, rows: Iterable[tuple[str, int, str]], into: dict[str, Body]) -> None:
        """Keep these (fact id, position, body) rows, and add them to `into`."""
        with self.lock:
            for fact_id, position, body in rows:
                if fact_id not in self.kept and len(self.kept) >= self.size:
                    del self.kept[next(iter(self.kept))]
                self.kept[fact_id] = into[fact_id] = (int(position), body)
