"""A Server-Sent Events response that stops its stream the moment the client goes.

The client's disconnect is watched beside the stream, which is cancelled on it; so is a stream
whose client has not taken a send within the send timeout (a watchdog looks, rather than a
timeout around every send). Either way the stream's generator is closed, so nothing is left
running for a client that has gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import Any

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class EventStream(Response):
    media_type = "text/event-stream"

    def __init__(
        self,
        batches: AsyncGenerator[list[Any], None],
        render: Callable[[list[Any]], str],
        first: str,
        send_timeout: float,
        closed: Callable[[], None],
    ) -> None:
        super().__init__(
            status_code=200,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            media_type=self.media_type,
        )
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]  # it has no end
        self.batches, self.text_of = batches, render
        self.first = first
        self.send_timeout = send_timeout  # seconds a client may take one chunk in; a dead one is let go after it
        self.sending_since: float | None = None
        self.closed = closed  # called however the stream ends, even before its generator started

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.clock = asyncio.get_running_loop().time  # anyio's current_time looks its backend up each call
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async with anyio.create_task_group() as group:
            group.start_soon(_until_disconnect, receive, group.cancel_scope)
            group.start_soon(self._watchdog, group.cancel_scope)
            try:
                await self._send(send, self.first)
                async for batch in self.batches:
                    await self._send(send, self.text_of(batch))
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                with anyio.CancelScope(shield=True):
                    await self.batches.aclose()
                self.closed()
                group.cancel_scope.cancel()

    async def _send(self, send: Send, chunk: str) -> None:
        self.sending_since = self.clock()
        await send({"type": "http.response.body", "body": chunk.encode(), "more_body": True})
        self.sending_since = None

    async def _watchdog(self, scope: anyio.CancelScope) -> None:
        """Cancel the stream once a send has waited longer than the send timeout."""
        while True:
            await anyio.sleep(self.send_timeout / 4)
            since = self.sending_since
            if since is not None and self.clock() - since > self.send_timeout:
                scope.cancel()
                return


async def _until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
