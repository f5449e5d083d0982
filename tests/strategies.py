"""Hypothesis strategies for random fact histories with collisions on purpose."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

DATES = [
    "1999",
    "2000",
    "2000-03",
    "2000-03-15",
    "2000-03-31",
    "2000-04-01",
    "2001",
    "2001-06",
    "2001-06-30",
    "2002-01-01",
]
ENVOY = st.sampled_from([None, "A", "B"])
CITY = st.sampled_from([None, "Kabul"])

DETAILS: dict[str, Any] = {
    "recognition_granted": st.builds(lambda f: {"form": f}, st.sampled_from(["de_jure", "de_facto"])),
    "recognition_withdrawn": st.just({}),
    "relations_established": st.just({}),
    "relations_severed": st.just({}),
    "ambassador_accepted": st.builds(lambda n: {"name": n} if n else {}, ENVOY),
    "ambassador_expelled": st.builds(lambda n: {"name": n} if n else {}, ENVOY),
    "ambassador_sent": st.builds(lambda n: {"name": n} if n else {}, ENVOY),
    "ambassador_recalled": st.just({}),
    "mission_opened": st.builds(
        lambda k, c: {"kind": k, **({"city": c} if c else {})}, st.sampled_from(["embassy", "business_office"]), CITY
    ),
    "mission_closed": st.builds(
        lambda k, c: {"kind": k, **({"city": c} if c else {})}, st.sampled_from(["embassy", "business_office"]), CITY
    ),
    "terrorist_listing_added": st.just({}),
    "terrorist_listing_removed": st.just({}),
    "sanctions_imposed": st.builds(lambda r: {"regime": r}, st.sampled_from(["1267", "1333"])),
    "sanctions_lifted": st.builds(lambda r: {"regime": r}, st.sampled_from(["1267", "1333"])),
    "statement_made": st.builds(lambda q: {"stance": "neutral", "quote": q}, st.sampled_from(["x", "y"])),
}

record_op = st.tuples(st.just("record"), st.sampled_from(sorted(DETAILS)), st.sampled_from(DATES)).flatmap(
    lambda t: st.tuples(st.just(t[0]), st.just(t[1]), st.just(t[2]), DETAILS[t[1]])
)
correct_op = st.tuples(st.sampled_from(["retract", "dispute"]), st.integers(0, 30))
operations = st.lists(st.one_of(record_op, record_op, record_op, correct_op), min_size=1, max_size=25)
