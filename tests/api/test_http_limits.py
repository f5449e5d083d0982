"""The HTTP server's limits, over real sockets: header size and count, slow and idle clients."""

from __future__ import annotations

import logging
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.http_limits import HttpLimits
from tests.api.server import serving
from tests.api.test_feed_processes import served

LIMITS = HttpLimits(header_bytes=4096, header_count=20, read_timeout=1.0)
PATIENCE = 30.0  # seconds a test waits for the server to act; far more than the limits above


@pytest.fixture
def address(api: Any) -> Iterator[tuple[str, int]]:
    with serving(create_app(services=api.services), limits=LIMITS, keep_alive=1.0) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def connect(address: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(address, timeout=PATIENCE)
    return sock


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def request(*headers: str, path: str = "/healthz") -> bytes:
    return ("\r\n".join([f"GET {path} HTTP/1.1", "Host: ledger", *headers, "Connection: close"]) + "\r\n\r\n").encode()


def test_a_request_within_the_limits_is_answered(address: tuple[str, int]) -> None:
    with connect(address) as sock:
        sock.sendall(request(*(f"X-Field-{i}: {'v' * 100}" for i in range(15))))
        assert answer(sock).startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([f"X-Big: {'v' * 5000}"], b"over 4096 bytes"),
        ([f"X-Field-{i}: v" for i in range(25)], b"more than 20 header fields"),
        ([f"X-Field-{i}: {'v' * 300}" for i in range(18)], b"over 4096 bytes"),
    ],
    ids=["one large field", "too many fields", "many fields too large together"],
)
def test_a_request_over_the_header_limits_gets_431_and_reaches_no_handler(
    address: tuple[str, int], headers: list[str], reason: bytes, api: Any
) -> None:
    before = api.services.ledger.view.max_position()
    with connect(address) as sock:
        body = b'{"type": "recognition_granted"}'
        head = request(*headers, f"Content-Length: {len(body)}", path="/v1/facts").replace(b"GET", b"POST", 1)
        sock.sendall(head + body)
        got = answer(sock)
    assert got.startswith(b"HTTP/1.1 431 "), got[:80]
    assert b"connection: close" in got and reason in got
    assert api.services.ledger.view.max_position() == before


def test_a_long_path_counts_toward_the_limit(address: tuple[str, int]) -> None:
    with connect(address) as sock:
        sock.sendall(request(path="/v1/subjects/" + "x" * 5000))
        assert answer(sock).startswith(b"HTTP/1.1 431 ")


def test_a_header_sent_a_byte_at_a_time_past_the_read_timeout_gets_408(address: tuple[str, int]) -> None:
    """A slow-loris client: each byte comes in time for any idle timeout, the request never ends."""
    with connect(address) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: ledger\r\nX-Slow: ")
        started = time.monotonic()
        try:
            while not select.select([sock], [], [], 0.05)[0]:
                assert time.monotonic() - started < PATIENCE, "the server kept waiting"
                sock.sendall(b"a")
            got = answer(sock)
        except ConnectionResetError:  # a byte reached the closed socket: the reset can discard the 408
            got = b"reset"
    assert got.startswith(b"HTTP/1.1 408 ") or got == b"reset", got[:80]


def test_a_body_declared_and_never_finished_gets_408(
    address: tuple[str, int], api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = api.services.ledger.view.max_position()
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        with connect(address) as sock:
            sock.sendall(b"POST /v1/facts HTTP/1.1\r\nHost: ledger\r\nContent-Length: 1000\r\n\r\n" + b"{" * 10)
            got = answer(sock)
        deadline = time.monotonic() + PATIENCE  # the handler logs once it has seen the connection end
        while not [r for r in caplog.records if r.name == "ledger.access"] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert got.startswith(b"HTTP/1.1 408 "), got[:80]
    assert b"not sent within 1 s" in got
    assert api.services.ledger.view.max_position() == before
    [line] = [r.getMessage() for r in caplog.records if r.name == "ledger.access"]
    assert line.startswith("POST /v1/facts 408 "), line  # what the client got, not 499


def test_a_connection_that_sends_nothing_is_closed(address: tuple[str, int]) -> None:
    with connect(address) as sock:
        assert answer(sock) == b""  # closed, not held open for ever


def test_a_kept_alive_connection_left_idle_is_closed(address: tuple[str, int]) -> None:
    with connect(address) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: ledger\r\n\r\n")
        got = answer(sock)
    assert got.startswith(b"HTTP/1.1 200 ") and got.count(b"HTTP/1.1") == 1


def test_requests_on_one_connection_each_get_the_whole_read_timeout(address: tuple[str, int]) -> None:
    """The clock starts at each request's first byte: a connection that keeps sending whole
    requests, each in time, is served for longer than the timeout."""
    with connect(address) as sock:
        for _ in range(6):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: ledger\r\n\r\n")
            received = b""
            while not received.endswith(b"}"):
                received += sock.recv(65536)
            assert received.startswith(b"HTTP/1.1 200 ")
            time.sleep(0.3)


def test_ledger_serve_takes_its_limits_from_the_settings(tmp_path: Path) -> None:
    with served(f"sqlite:///{tmp_path}/limits.db", tmp_path, LEDGER_HEADER_LIMIT_BYTES="2048") as (base, _):
        host, port = base.removeprefix("http://").split(":")
        for size, status in ((1500, b"200"), (2500, b"431")):
            with connect((host, int(port))) as sock:
                sock.sendall(request(f"X-Big: {'v' * size}"))
                assert answer(sock).startswith(b"HTTP/1.1 " + status), size


def test_a_refused_request_is_logged_once_however_much_it_sent(
    address: tuple[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    """What follows a refusal in the same read is parsed and ignored: a flood costs one line, not one per field."""
    with caplog.at_level(logging.WARNING, logger="ledger.http"), connect(address) as sock:
        sock.sendall(request(*(f"X-Field-{i}: v" for i in range(3000))))  # under one read (256 KiB): no reset
        assert answer(sock).startswith(b"HTTP/1.1 431 ")
    [line] = [r.getMessage() for r in caplog.records if r.name == "ledger.http"]
    assert line.startswith("431 from 127.0.0.1:") and "more than 20 header fields" in line
