"""Schemathesis hooks for tests/api/test_schemathesis.py, loaded through SCHEMATHESIS_HOOKS.

They make the fuzzer's valid requests what a careful client sends, where a schema cannot say what
that is, so that its valid cases reach the logic behind the checks instead of stopping at them:
- a fresh Idempotency-Key per call (the fuzzer reuses "0" for hundreds of bodies: a 422 after
  the first, as the IETF draft requires);
- an If-Match that names the relation's current version, read from the ledger as a client would
  (a drawn one is almost never it: 412);
- a fresh actor code or subject id per registration (a drawn one is almost always taken: 409);
- an actor's `valid_from` and `valid_to` in order (no schema can compare two fields: 422).
A case whose headers or body were drawn invalid is left as drawn, so negative cases stay
negative; so is any value that is itself invalid. LEDGER_FUZZ_URL and LEDGER_FUZZ_TOKEN name the
served ledger and a token that reads it."""

from __future__ import annotations

import itertools
import os
import re
import uuid
from typing import Any

import httpx
import schemathesis
from schemathesis.core.parameters import ParameterLocation

VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")
VALID_IF_MATCH = re.compile(r'(W/)?"?[0-9]{1,9}"?')
CODE = re.compile(r"[A-Z][A-Z0-9_-]{1,15}")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
FRESH = itertools.count(1)


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if meta is not None and meta.is_negative_at(ParameterLocation.HEADER):
        return
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if not isinstance(value, str):
            continue
        if name.lower() == "idempotency-key" and VALID_KEY.fullmatch(value):
            headers[name] = f"{value[:160]}-{uuid.uuid4()}"
        elif name.lower() == "if-match" and VALID_IF_MATCH.fullmatch(value):
            current = _relation_etag(case)
            if current is not None:
                headers[name] = current
    if meta is not None and meta.is_negative_at(ParameterLocation.BODY):
        return
    body = case.body if isinstance(case.body, dict) else None
    path = case.operation.path
    if body is None or case.method != "POST":
        return
    if path == "/v1/actors":
        if isinstance(body.get("code"), str) and CODE.fullmatch(body["code"]):
            body["code"] = f"F{next(FRESH):06d}{body['code'][:9]}"
        low, high = body.get("valid_from"), body.get("valid_to")
        if isinstance(low, str) and isinstance(high, str) and low > high:
            body["valid_from"], body["valid_to"] = high, low
    elif path == "/v1/subjects" and isinstance(body.get("id"), str) and SLUG.fullmatch(body["id"]):
        body["id"] = f"{body['id'][:50]}-f{next(FRESH)}"


def _relation_etag(case: Any) -> str | None:
    """The ETag of the relation the write goes to, as GET /v1/relations gives it; None if unknown."""
    base, auth = os.environ["LEDGER_FUZZ_URL"], {"Authorization": f"Bearer {os.environ['LEDGER_FUZZ_TOKEN']}"}
    body = case.body if isinstance(case.body, dict) else {}
    if case.operation.path == "/v1/facts":
        actor, subject = body.get("actor"), body.get("subject")
    else:  # a retraction or a dispute: the relation of the fact named in the path
        fact = httpx.get(f"{base}/v1/facts/{(case.path_parameters or {}).get('fact_id')}", headers=auth, timeout=10)
        if fact.status_code != 200:
            return None
        actor, subject = fact.json()["actor"], fact.json()["subject"]
    if not isinstance(actor, str) or not isinstance(subject, str):
        return None
    relation = httpx.get(f"{base}/v1/relations/{actor}/{subject}", headers=auth, timeout=10)
    return relation.headers.get("etag") if relation.status_code == 200 else None
