"""Generated hostile requests (hypothesis), and attempts to forge lines of the access log."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from drills.harness import ADMIN_TOKEN, Row, check_consistency, serving
from infrastructure.config.settings import Settings

FAKE = "2001-01-01 00:00:00,000 INFO ledger.access DELETE /v1/tokens/all 204 0.1ms request_id=forged principal=admin"
ROUTES = (  # the ledger's own routes, so inputs reach its parsers and rules, not only 404 and 405
    *(
        ("GET", path)
        for path in (
            "/v1/subjects",
            "/v1/subjects/{s}",
            "/v1/subjects/{s}/recognitions",
            "/v1/subjects/{s}/status",
            "/v1/subjects/{s}/changes",
            "/v1/subjects/{s}/history",
            "/v1/actors/{s}/status",
            "/v1/relations/{s}/{s}",
            "/v1/relations/{s}/{s}/revisions",
            "/v1/facts/{s}",
            "/v1/facts",
            "/v1/audit",
            "/v1/log/checkpoint",
            "/v1/log/proof/inclusion",
            "/v1/log/proof/consistency",
            "/v1/tokens",
            "/v1/feed",
            "/{s}",
        )
    ),
    ("POST", "/v1/facts"),
    ("POST", "/v1/facts"),
    ("POST", "/v1/facts/{s}/retraction"),
    ("POST", "/v1/facts/{s}/dispute"),
    ("POST", "/v1/subjects"),
    ("POST", "/v1/subjects/{s}/milestones"),
    ("POST", "/v1/actors"),
    ("POST", "/v1/tokens"),
    ("DELETE", "/v1/tokens/{s}"),
    ("HEAD", "/v1/subjects/{s}/recognitions"),
)
PARAMS = (
    "at",
    "recorded_at",
    "mode",
    "from",
    "to",
    "limit",
    "after",
    "type",
    "actor",
    "subject",
    "q",
    "proof",
    "format",
)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(
    texts, st.integers().map(str), st.sampled_from(["", "9999-12-31", "0000-00-00", "replay", "csv", "-1"])
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
fact_like = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["recognition_granted", "statement_made", "fact_retracted", "bogus"]) | texts,
        "actor": st.sampled_from(["RUS", "SUN", "XKX", "rus", ""]) | texts,
        "subject": st.sampled_from(["taliban-iea", "kosovo", "subject-0000"]) | texts,
        "effective_on": values,
        "details": json_values,
        "sources": st.lists(st.fixed_dictionaries({"url": texts | st.just("https://example.org")}), max_size=3),
        "target": texts,
        "note": texts,
    },
)


def _requests(base: str, count: int, codes: Counter[str]) -> None:
    client = httpx.Client(base_url=base, timeout=30)

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        route=st.sampled_from(ROUTES),
        segment=st.sampled_from(["taliban-iea", "RUS", "subject-0000", "FRA", "XKX"]) | texts,
        query=st.dictionaries(st.sampled_from(PARAMS) | texts, values, max_size=4),
        body=st.one_of(fact_like, json_values, st.binary(max_size=200)),
        token=st.sampled_from([None, ADMIN_TOKEN, ADMIN_TOKEN, "wrong", "a" * 300]),
        key=st.none() | texts,
        if_match=st.none() | texts,
    )
    def one(
        route: tuple[str, str],
        segment: str,
        query: dict[str, str],
        body: Any,
        token: str | None,
        key: str | None,
        if_match: str | None,
    ) -> None:
        method, path = route
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for name, value in (("Idempotency-Key", key), ("If-Match", if_match)):
            if value is not None and value.isascii() and value.isprintable():
                headers[name] = value
        url = path.replace("{s}", quote(segment, safe="") or "x")
        content = body if isinstance(body, bytes) else None
        try:
            with client.stream(  # a stream: the feed's answer never ends, its status is enough
                method,
                url,
                params=query,
                headers=headers,
                content=content,
                json=None if content is not None or method in ("GET", "HEAD") else body,
            ) as response:
                codes[str(response.status_code)] += 1
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:  # what the client would not send
            codes[type(error).__name__] += 1

    try:
        one()
    finally:
        client.close()


def _forgeries(base: str, port: int) -> int:
    """CR and LF in a path, a request id, a token and a token name; how many requests were sent."""
    encoded = FAKE.replace(" ", "%20")
    sent = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in (f"/v1/subjects/x%0D%0A{encoded}", f"/v1/facts/%0A{encoded}", f"/%0D{encoded}"):
            client.get(path)
            sent += 1
        client.get("/healthz", headers={"X-Request-ID": f"a {FAKE}"})
        client.get("/v1/tokens", headers={"Authorization": f"Bearer x {FAKE}"})
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        client.post("/v1/tokens", json={"role": "reader", "name": f"x\r\n{FAKE}"}, headers=admin)
        client.post("/v1/tokens", json={"role": "reader", "name": f"x\n{FAKE}"}, headers=admin)
        sent += 4
    for raw in (f"GET /healthz\r\n{FAKE} HTTP/1.1\r\n\r\n", f"GET /x\x00{FAKE} HTTP/1.1\r\nHost: h\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(raw.encode())
            sock.recv(4096)
        sent += 1
    return sent


def hostile_inputs(settings_: Settings, work: Path, subjects: list[str], count: int) -> Row:
    row = Row("generated hostile requests and log forging", settings_.backend)
    log = work / "hostile.log"
    codes: Counter[str] = Counter()
    # Wrong tokens are among the inputs: the throttle would soon answer them all 429 (it has tests of its own).
    with serving(settings_.database_url, log, LEDGER_AUTH_FAILURES_PER_MINUTE="100000") as server:
        _requests(server.base, count, codes)
        forged_sent = _forgeries(server.base, server.port)
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    forged = sum(1 for line in lines if line.startswith(FAKE[:23]))
    row.load = "one client, one request at a time"
    row.faults = f"{forged_sent} requests with CR, LF or NUL meant to forge log lines"
    row.inputs, row.codes = sum(codes.values()) + forged_sent, codes
    if forged:
        row.checks.append(f"{forged} forged log lines")
    if any(code.startswith("5") for code in codes):
        row.checks.append("a 5xx answer")
    row.note = f"forged lines in the log: {forged}"
    check_consistency(row, settings_, subjects[:2])
    return row
