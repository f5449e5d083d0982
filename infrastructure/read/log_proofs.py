"""The log's answers: checkpoints, the verifier key, inclusion and consistency proofs, and the
proof attached to a status answer."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from domain.errors import InvalidValue
from infrastructure.errors import NotFound
from infrastructure.log.checkpoints import Checkpoints, Stored
from infrastructure.log.records import fact_record
from infrastructure.view.reader import ViewReader


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class LogProofs:
    def __init__(self, checkpoints: Checkpoints, view: ViewReader) -> None:
        self.checkpoints = checkpoints
        self.tree = checkpoints.tree
        self.view = view

    @property
    def signed(self) -> bool:
        return self.checkpoints.signer is not None

    def checkpoint(self, size: int | None = None) -> Stored:
        """The latest checkpoint, or the stored one of `size` leaves."""
        if size is None:
            return self.checkpoints.latest()
        stored = self.checkpoints.served(size)
        if stored is None:
            raise NotFound("checkpoint", str(size), "size")
        return stored

    def key(self) -> str:
        if self.checkpoints.signer is None:
            raise NotFound("verifier key", "(this ledger has no signing key: its checkpoints are unsigned)")
        return str(self.checkpoints.signer.verifier)

    def inclusion(self, index: int | None, size: int | None, fact_id: str | None) -> dict[str, Any]:
        """The proof that a leaf is in the tree of `size` leaves (default: the latest checkpoint's)."""
        if (index is None) == (fact_id is None):
            raise InvalidValue("index", "give either index or fact_id")
        record = None
        if fact_id is not None:
            try:
                body = self.view.fact_named(fact_id)
            except NotFound as e:
                raise NotFound("fact", e.key, "fact_id") from None
            index = self._index_of(body["fact_id"])
            record = fact_record(body)
        assert index is not None
        stored = self.checkpoints.latest() if size is None else None
        size = stored.checkpoint.size if stored is not None else size
        assert size is not None
        self._within(size, "size")
        if index >= size:
            if stored is not None:  # the leaf came after the latest checkpoint: make one that holds it
                stored = self.checkpoints.latest(fresh=True)
                size = stored.checkpoint.size
            if index >= size:
                raise InvalidValue("index", f"{index} is not a leaf of a tree of {size}")
        leaf, path = self.tree.inclusion(index, size)
        answer: dict[str, Any] = {"index": index, "size": size, "leaf_hash": b64(leaf)}
        answer["hashes"] = [b64(h) for h in path]
        if record is not None:
            answer["record"] = record
        kept = stored or self.checkpoints.served(size)
        if kept is not None:
            answer["checkpoint"] = kept.note
        return answer

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        if first > second:
            raise InvalidValue("from", f"{first} is after to ({second}): a tree only grows")
        self._within(second, "to")
        return {"from": first, "to": second, "hashes": [b64(h) for h in self.tree.consistency(first, second)]}

    def proof_of(self, fact_ids: Iterable[str], bodies: Mapping[str, Any]) -> dict[str, Any]:
        """The latest checkpoint and, at its size, the inclusion proof of each fact, with its record."""
        ids = sorted(set(fact_ids))
        indexes = {fact_id: self._index_of(fact_id) for fact_id in ids}
        stored = self.checkpoints.latest()
        if any(i >= stored.checkpoint.size for i in indexes.values()):
            stored = self.checkpoints.latest(fresh=True)
        size = stored.checkpoint.size
        facts = {}
        for fact_id in ids:
            body = bodies.get(fact_id) or self.view.fact_named(fact_id)
            index = indexes[fact_id]
            leaf, path = self.tree.inclusion(index, size)
            facts[fact_id] = {
                "index": index,
                "leaf_hash": b64(leaf),
                "hashes": [b64(h) for h in path],
                "record": fact_record(body),
            }
        return {"checkpoint": stored.note, "size": size, "facts": facts}

    def _index_of(self, fact_id: str) -> int:
        index = self.tree.index_of_fact(str(UUID(fact_id)))
        if index is None:
            raise NotFound("log leaf of fact", fact_id)
        return index

    def _within(self, size: int, field: str) -> None:
        leaves = self.tree.size_for(size)
        if size > leaves:
            raise InvalidValue(field, f"{size} is past the tree, which has {leaves} leaves")
