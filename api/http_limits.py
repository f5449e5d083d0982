"""Limits uvicorn's HTTP/1.1 protocol lacks: the size and count of a request's header fields,
and the time a client may take to send a request, or a first byte on a new connection.

Without them one client could hold a process's memory (a 50 MB header field is parsed and kept)
or its connections (a request sent a byte at a time, or a body declared and never sent).
"""

from __future__ import annotations

import logging
from asyncio import TimerHandle, Transport
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

log = logging.getLogger("ledger.http")
REFUSED_WITH = "refused_with"  # in a request's state: the status this protocol answered it with


@dataclass(frozen=True)
class HttpLimits:
    header_bytes: int = 16_384  # the request line and header fields together, as Node.js allows
    header_count: int = 100
    read_timeout: float = 10.0  # seconds from a request's first byte to its last


class LimitedConfig(uvicorn.Config):
    """uvicorn's settings, serving HTTP/1.1 through `LimitedHttpProtocol` with these limits."""

    def __init__(self, app: Any, *, limits: HttpLimits, **kwargs: Any) -> None:
        super().__init__(app, http=LimitedHttpProtocol, **kwargs)
        self.limits = limits


class LimitedHttpProtocol(HttpToolsProtocol):
    """httptools' protocol (uvicorn's fastest) that refuses what `HttpLimits` does not allow.

    A request over the header limits gets 431, one not fully sent within the read timeout 408;
    both close the connection. A connection that sends nothing is closed after the keep-alive
    timeout, as one idle between requests already is.
    """

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.limits: HttpLimits = config.limits if isinstance(config, LimitedConfig) else HttpLimits()
        self.header_bytes = 0
        self.refused = False
        self.read_deadline: TimerHandle | None = None

    def connection_made(self, transport: Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_reading_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self.refused:
            super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.header_bytes = 0
        self._stop_reading_clock()
        self.read_deadline = self.loop.call_later(self.limits.read_timeout, self._read_timed_out)

    def on_url(self, url: bytes) -> None:
        if self._within(len(url)):
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.refused:
            return  # the rest of what was received is parsed still, and ignored
        if len(self.headers) >= self.limits.header_count:
            self._refuse(431, f"more than {self.limits.header_count} header fields")
        elif self._within(len(name) + len(value) + 4):  # ": " and CRLF
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if not self.refused:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._stop_reading_clock()
        if not self.refused:
            super().on_message_complete()

    def _within(self, size: int) -> bool:
        """Count `size` more bytes of the request's head; refuse it once they pass the limit."""
        if self.refused:
            return False
        self.header_bytes += size
        if self.header_bytes > self.limits.header_bytes:
            self._refuse(431, f"the request line and header fields are over {self.limits.header_bytes} bytes")
        return not self.refused

    def _read_timed_out(self) -> None:
        self.read_deadline = None
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()  # too late for a status: the answer is under way
            return
        self._refuse(408, f"the request was not sent within {self.limits.read_timeout:g} s")

    def _refuse(self, status: int, reason: str) -> None:
        """Answer `status` with `reason` as plain text and close; the parser's later calls do nothing."""
        self.refused = True
        self._stop_reading_clock()
        if self.cycle is not None:
            self.cycle.keep_alive = False
            if not self.cycle.response_complete:  # its handler runs: the access log says what the client got
                self.cycle.scope["state"][REFUSED_WITH] = status
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
        log.warning("%d from %s: %s", status, client, reason)
        body = f"{reason}\n".encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        if not self.transport.is_closing():
            self.transport.write(b"".join(head) + body)
            self.transport.close()

    def _stop_reading_clock(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None
