"""The relations this process last saw as stored, kept so a write need not load them first."""

from __future__ import annotations

from threading import Lock
from uuid import UUID

from eventsourcing.application import LRUCache

from domain.relation import Relation


class HeldRelations:
    """A cache of private copies nothing mutates, at most `size` of them (0: none held).

    A write starts from a copy without asking the store whether it is still the latest: if it
    is not, the store refuses the write as a whole and it catches up. A refusal is never given
    from a copy: it too is checked again on the relation as stored.
    """

    def __init__(self, size: int) -> None:
        self.cache: LRUCache[UUID, Relation] | None = LRUCache(size) if size else None
        self.keeping = Lock()  # a copy is only ever replaced by a later one

    @property
    def enabled(self) -> bool:
        return self.cache is not None

    def get(self, relation_id: UUID) -> Relation | None:
        """The copy held (not to be changed), if any."""
        if self.cache is None:
            return None
        try:
            return self.cache.get(relation_id)
        except KeyError:
            return None

    def keep(self, relation: Relation) -> None:
        """Hold this copy as stored (nothing may change it after), unless the copy held is as
        late already: two writes of one relation in this process may finish in either order."""
        if self.cache is None:
            return
        with self.keeping:
            held = self.get(relation.id)
            if held is None or held.version < relation.version:
                self.cache.put(relation.id, relation)
