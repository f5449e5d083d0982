"""Checking a saved answer's proof offline: no server, no database, only the verifier key.

Leaves are recomputed with the rfc8785 library, independently of the ledger's own encoder.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785

from infrastructure.log import merkle
from infrastructure.log.note import Checkpoint, NoteError, Verifier
from infrastructure.log.records import UNHASHED, hashed

# The fields an answer's evidence entry shares with the fact's record, compared as written.
SAME = (
    "fact_id",
    "type",
    "actor",
    "subject",
    "effective_on",
    "details",
    "sources",
    "note",
    "recorded_by",
    "relation_version",
)


class ProofError(ValueError):
    """A proof that does not hold, naming what failed."""


@dataclass(frozen=True)
class Checked:
    checkpoint: Checkpoint
    leaves: int  # the records proved


def leaf_of(record: Mapping[str, Any]) -> bytes:
    """A record's leaf hash, from its RFC 8785 form without the fields that only number it."""
    return merkle.leaf_hash(rfc8785.dumps({k: v for k, v in hashed(record).items() if k not in UNHASHED}))


def check_document(doc: Any, verifier: Verifier) -> Checked:
    """A status answer made with proof=true, or an inclusion proof with its record and checkpoint."""
    if not isinstance(doc, dict):
        raise ProofError("the file holds no JSON object")
    if isinstance(doc.get("proof"), dict):
        return check_answer(doc, verifier)
    if {"index", "size", "hashes", "record", "checkpoint"} <= doc.keys():
        checkpoint = _checkpoint(doc["checkpoint"], verifier)
        _include(doc["record"], doc, int(doc["size"]), checkpoint, "the record")
        return Checked(checkpoint, 1)
    raise ProofError(
        "the file is neither an answer made with proof=true nor an inclusion proof with record and checkpoint"
    )


def check_answer(answer: dict[str, Any], verifier: Verifier) -> Checked:
    proof = answer["proof"]
    checkpoint = _checkpoint(proof.get("checkpoint"), verifier)
    size = proof.get("size")
    if size != checkpoint.size:
        raise ProofError(f"the proof is at size {size}, its checkpoint at {checkpoint.size}")
    facts = proof.get("facts")
    if not isinstance(facts, dict):
        raise ProofError("the proof has no facts")
    evidence = answer.get("evidence") or {e["fact_id"]: e for e in answer.get("facts") or ()}
    missing = sorted(set(evidence) - set(facts))
    if missing:
        raise ProofError(f"fact {missing[0]} is evidence of the answer but has no proof")
    for fact_id, item in facts.items():
        record = item.get("record") or {}
        if record.get("fact_id") != fact_id:
            raise ProofError(f"the proof of fact {fact_id} carries the record of {record.get('fact_id')}")
        if fact_id in evidence:
            _same(evidence[fact_id], record, fact_id)
        _include(record, item, size, checkpoint, f"fact {fact_id}")
    return Checked(checkpoint, len(facts))


def _checkpoint(note: Any, verifier: Verifier) -> Checkpoint:
    if not isinstance(note, str):
        raise ProofError("the proof has no checkpoint")
    try:
        return verifier.verify(note)
    except NoteError as e:
        raise ProofError(f"checkpoint: {e}") from None


def _include(record: Any, item: Mapping[str, Any], size: int, checkpoint: Checkpoint, what: str) -> None:
    if not isinstance(record, dict):
        raise ProofError(f"{what}: no record")
    leaf = leaf_of(record)
    given = item.get("leaf_hash")
    if given is not None and base64.b64decode(given) != leaf:
        raise ProofError(f"{what}: the record does not hash to the leaf hash given")
    try:
        path = [base64.b64decode(h, validate=True) for h in item["hashes"]]
        index = int(item["index"])
    except (KeyError, TypeError, ValueError):
        raise ProofError(f"{what}: the inclusion proof is malformed") from None
    if merkle.root_from_inclusion(index, size, leaf, path) != checkpoint.root:
        raise ProofError(f"{what}: the inclusion proof does not lead to the checkpoint's root")


def _same(entry: Mapping[str, Any], record: Mapping[str, Any], fact_id: str) -> None:
    for key in SAME:
        if _given(entry.get(key)) != _given(record.get(key)):
            raise ProofError(f"fact {fact_id}: the answer's {key} differs from the proved record's")
    if _instant(entry.get("recorded_at")) != _instant(record.get("recorded_at")):
        raise ProofError(f"fact {fact_id}: the answer's recorded_at differs from the proved record's")


def _given(value: Any) -> Any:
    """A value without the keys that hold null: an answer may spell an absent field as null."""
    if isinstance(value, dict):
        return {k: _given(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_given(v) for v in value]
    return value


def _instant(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
