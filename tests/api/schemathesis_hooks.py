"""Schemathesis hooks for tests/api/test_schemathesis.py, loaded through SCHEMATHESIS_HOOKS.

A careful client sends a fresh Idempotency-Key with every new request; the fuzzer reuses one key
("0") for hundreds of bodies, which the API rightly refuses (422) after the first. So a valid key
is made unique per call, as the fuzzer's own output advises. An invalid key is left as drawn, so
negative cases stay negative."""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation

VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Only in headers drawn as valid: a case whose headers are negative (a missing Authorization,
    say) is left untouched, so the checks still judge it by what was drawn."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return
    headers = case.headers or {}
    for name, value in headers.items():
        if name.lower() == "idempotency-key" and isinstance(value, str) and VALID_KEY.fullmatch(value):
            headers[name] = f"{value[:160]}-{uuid.uuid4()}"
