"""A Server-Sent Events response that stops its stream the moment the client goes.

The client's disconnect is watched beside the stream, which is cancelled on it; a send the
client does not take within the send timeout lets the connection go too. Either way the stream's
generator is closed, so nothing is left running for a client that has gone.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class EventStream(Response):
    media_type = "text/event-stream"

    def __init__(self, chunks: AsyncGenerator[str, None], first: str, send_timeout: float) -> None:
        super().__init__(
            status_code=200,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            media_type=self.media_type,
        )
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]  # it has no end
        self.chunks = chunks
        self.first = first
        self.send_timeout = send_timeout  # seconds a client may take one chunk in; a dead one is let go after it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async with anyio.create_task_group() as group:
            group.start_soon(_until_disconnect, receive, group.cancel_scope)
            try:
                if await _sent(send, self.first, self.send_timeout) and await self._stream(send):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                with anyio.CancelScope(shield=True):
                    await self.chunks.aclose()
                group.cancel_scope.cancel()

    async def _stream(self, send: Send) -> bool:
        async for chunk in self.chunks:
            if not await _sent(send, chunk, self.send_timeout):
                return False
        return True


async def _sent(send: Send, chunk: str, timeout: float) -> bool:
    """Whether the client took the chunk in time."""
    if not chunk:
        return True
    with anyio.move_on_after(timeout):
        await send({"type": "http.response.body", "body": chunk.encode(), "more_body": True})
        return True
    return False


async def _until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
