"""A bounded cache of values worked out from immutable objects, found by the object's identity."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityCache(Generic[K, V]):
    """Values worked out from objects, kept by the module that works them out.

    Found by identity, not equality: cheap to look up, and right only for objects that
    never change. Each entry holds its object, so no other object can take its id while
    the entry is kept. At most `2 * size` entries, in two halves: when the newer is full it
    becomes the older, and the older is dropped; an entry found in the older moves back up.

    Shared by threads without a lock: a lookup racing a turnover may miss and the value be
    worked out again, but every entry is its own object's, so no lookup gets another's value.
    Values must not be None (None says "not kept").
    """

    __slots__ = ("_newer", "_older", "_size")

    def __init__(self, size: int) -> None:
        self._size = size
        self._newer: dict[int, tuple[K, V]] = {}
        self._older: dict[int, tuple[K, V]] = {}

    def get(self, obj: K) -> V | None:
        """The value kept for this very object, or None."""
        key = id(obj)
        entry = self._newer.get(key)
        if entry is not None:
            return entry[1]
        entry = self._older.get(key)
        if entry is None:
            return None
        return self.put(obj, entry[1])  # in use: keep it past the next turnover

    def put(self, obj: K, value: V) -> V:
        """Keep `value` for `obj`; returns it."""
        newer = self._newer
        if len(newer) >= self._size:
            self._older = newer
            self._newer = newer = {}
        newer[id(obj)] = (obj, value)
        return value

    def __len__(self) -> int:
        return len(self._newer) + len(self._older)
