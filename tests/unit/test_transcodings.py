"""A fact's stored shape: the same each time, a dict of its own for each caller, nothing written onto the fact."""

from __future__ import annotations

from dataclasses import fields

from domain.facts import Fact
from infrastructure.encoding.answers import audit_body
from infrastructure.encoding.transcodings import fact_from_dict, fact_to_dict
from tests.factories import fact


def test_a_fact_is_encoded_alike_each_time_into_a_new_dict_and_read_back() -> None:
    f = fact("mission_opened", "2001-06", kind="embassy", city="Kabul")
    first = fact_to_dict(f)
    first["position"] = 7  # callers add to it
    again = fact_to_dict(f)
    assert again == {k: v for k, v in first.items() if k != "position"}
    assert fact_from_dict(again) == f
    body = audit_body(f, 3)
    assert (body.pop("relation_version"), body.pop("precision"), body.pop("recorded_at")) == (3, "month", body_time(f))
    assert body == {k: v for k, v in again.items() if k != "recorded_at"}
    assert set(vars(f)) == {x.name for x in fields(Fact)}, "nothing written onto the fact"


def body_time(f: Fact) -> str:
    return f.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
