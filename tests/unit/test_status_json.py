"""The status JSON written to the view is exactly the canonical encoding of Status.to_dict()."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.status import Envoy, Listing, Mission, Recognition, Relations, Sanction, Status
from infrastructure.encoding.canonical import canonical
from infrastructure.view.status_json import status_json

text = st.text(max_size=12)  # quotes, backslashes, control and non-ASCII characters included
maybe_text = st.none() | text
day = st.dates()
maybe_day = st.none() | day
fact_id = st.uuids()
maybe_id = st.none() | fact_id

statuses = st.builds(
    Status,
    recognition=st.builds(
        Recognition, st.sampled_from(["recognised", "not_recognised"]), maybe_text, maybe_day, maybe_id
    ),
    relations=st.builds(Relations, st.sampled_from(["none", "established", "severed"]), maybe_day, maybe_id),
    ambassador_accepted=st.builds(Envoy, st.booleans(), maybe_text, maybe_day, maybe_id),
    ambassador_sent=st.builds(Envoy, st.booleans(), maybe_text, maybe_day, maybe_id),
    missions=st.lists(st.builds(Mission, text, maybe_text, day, fact_id), max_size=4).map(tuple),
    terrorist_listed=st.builds(Listing, st.booleans(), maybe_day, maybe_text, maybe_id),
    sanctions=st.lists(st.builds(Sanction, text, day, fact_id), max_size=4).map(tuple),
    approximate=st.booleans(),
    disputed=st.booleans(),
)


@given(statuses)
def test_status_json_is_the_canonical_encoding(status: Status) -> None:
    assert status_json(status) == canonical(status.to_dict())


@given(statuses)
def test_parts_encoded_once_still_give_the_same_text_for_another_status(status: Status) -> None:
    first = status_json(status)
    other = status.evolve(disputed=not status.disputed)  # shares every part with `status`
    assert status_json(status) == first
    assert status_json(other) == canonical(other.to_dict())


@given(statuses)
def test_encoding_writes_nothing_onto_the_status_or_its_parts(status: Status) -> None:
    before = [dict(vars(status)), *(dict(vars(p)) for p in status.parts)]
    status_json(status)
    status_json(status)
    assert [dict(vars(status)), *(dict(vars(p)) for p in status.parts)] == before
