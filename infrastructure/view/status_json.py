"""A status as canonical JSON, assembled from the JSON of its parts.

Equal to `canonical(status.to_dict())` (a property test holds them to it). Each part — a
recognition, a mission, a sanction — is encoded from its own `to_dict()` once and kept
here, and so is each tuple of missions or sanctions: the fold hands the same objects from
one status to the next, and a relation's rows repeat them.
"""

from __future__ import annotations

import orjson

from domain.cache import IdentityCache
from domain.status import Mission, Part, Sanction, Status

# For a part: its JSON, and its fact id quoted for the basis ("" if it has none). For a tuple of
# missions or sanctions: its items' JSON, and their quoted fact ids, each joined with commas.
_PART_JSON_CACHE: IdentityCache[Part | tuple[Mission | Sanction, ...], tuple[str, str]] = IdentityCache(1 << 11)


def status_json(status: Status) -> str:
    # Keys in sorted order, as canonical() writes them. The whole is not kept: each status is
    # written about once, and an importer holds millions of them.
    if status.approximate or status.disputed:  # parts flagged in this status alone: not kept
        return orjson.dumps(status.to_dict(), option=orjson.OPT_SORT_KEYS).decode()
    get = _PART_JSON_CACHE.get
    rec = get(status.recognition) or _part(status.recognition)
    rel = get(status.relations) or _part(status.relations)
    accepted = get(status.ambassador_accepted) or _part(status.ambassador_accepted)
    sent = get(status.ambassador_sent) or _part(status.ambassador_sent)
    missions = get(status.missions) or _items(status.missions)
    listed = get(status.terrorist_listed) or _part(status.terrorist_listed)
    sanctions = get(status.sanctions) or _items(status.sanctions)
    # Status.basis: the parts' fact ids in this order.
    basis = ",".join([q for q in (rec[1], rel[1], accepted[1], sent[1], missions[1], listed[1], sanctions[1]) if q])
    return "".join(
        (
            '{"ambassador_accepted":',
            accepted[0],
            ',"ambassador_sent":',
            sent[0],
            ',"approximate":',
            "true" if status.approximate else "false",
            ',"basis":[',
            basis,
            '],"disputed":',
            "true" if status.disputed else "false",
            ',"hostile":',
            "true" if status.hostile else "false",
            ',"level":"',
            status.level,
            '","missions":[',
            missions[0],
            '],"recognition":',
            rec[0],
            ',"relations":',
            rel[0],
            ',"sanctions":[',
            sanctions[0],
            '],"terrorist_listed":',
            listed[0],
            "}",
        )
    )


def _part(part: Part) -> tuple[str, str]:
    fact_id = part.fact_id
    quoted = f'"{fact_id}"' if fact_id is not None else ""  # a UUID has nothing to escape
    return _PART_JSON_CACHE.put(part, (orjson.dumps(part.to_dict(), option=orjson.OPT_SORT_KEYS).decode(), quoted))


def _items(items: tuple[Mission | Sanction, ...]) -> tuple[str, str]:
    get = _PART_JSON_CACHE.get
    encoded = [get(item) or _part(item) for item in items]
    return _PART_JSON_CACHE.put(items, (",".join([j for j, _ in encoded]), ",".join([q for _, q in encoded if q])))
