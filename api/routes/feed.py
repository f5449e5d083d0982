"""The change feed: GET /v1/feed, every record in log order as Server-Sent Events."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from api.event_stream import EventStream
from api.feed_lines import CLOUDEVENTS, retry_line, sse
from api.models import FACT_TYPES
from api.openapi import READ, errors
from api.parsing import system_time
from api.routes.deps import DATE_TIME, get_services, plain_values
from domain.errors import InvalidValue
from infrastructure.bootstrap import Services
from infrastructure.feed.feed_filters import FeedFilters
from infrastructure.feed.feed_stream import FeedStream, Item, StreamLimits

router = APIRouter(prefix="/v1", tags=["feed"])
# One event of the stream, as SSE parsers give it; `data` is JSON text.
SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["fact", "subject", "milestone", "actor", "caught-up", "end"]},
        "id": {"type": "string", "pattern": "^[0-9]+$", "description": "A log index"},
        "data": {"type": "string", "description": "The record (or signal) as JSON"},
        "retry": {"type": "integer"},
    },
}
EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {"schema": SSE_EVENT}},
        "description": "Server-Sent Events: `retry:`, each record (`id`: its log index; `event`: fact, subject, "
        "milestone or actor), `caught-up` once the backlog is sent, `: heartbeat` comments, and `end` with its reason",
    }
}
MAX_INDEX = 2**62


@router.get(
    "/feed",
    response_class=EventStream,
    status_code=200,
    operation_id="followFeed",
    responses=errors(*READ, ok=EVENT_STREAM),
)
async def feed(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    subject: Annotated[list[str] | None, Query(description="Subject id; repeat for any of several")] = None,
    actor: Annotated[list[str] | None, Query(description="Actor code; repeat for any of several")] = None,
    type: Annotated[
        list[str] | None,
        Query(
            description="Fact type, or subject, milestone or actor; repeat for any of several",
            json_schema_extra={"items": {"type": "string", "enum": [*FACT_TYPES, "subject", "milestone", "actor"]}},
        ),
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_INDEX, description="A log index; the stream starts after it")
    ] = None,
    since: Annotated[
        str | None, Query(description="RFC 3339: start at the first record recorded since", json_schema_extra=DATE_TIME)
    ] = None,
    format: Annotated[
        str | None, Query(pattern="^(sse|cloudevents)$", description="cloudevents: CloudEvents 1.0 data")
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description="A reconnecting client's last id; wins over after and since",
            json_schema_extra={"pattern": "^[0-9]{1,19}$"},
        ),
    ] = None,
) -> EventStream:
    """Every record in log order, live; resume with Last-Event-ID or `after`, or start at `since`.

    Unknown subjects, actors and types are refused (422) before the stream starts; past the
    per-process or per-client cap of streams, 429 with Retry-After."""
    s = services.settings
    q = services.queries
    values = (plain_values(subject, "subject"), plain_values(actor, "actor"), plain_values(type, "type"))
    filters = await run_in_threadpool(FeedFilters.checked, q.audit_filters, *values)  # it may read the catalogue
    start, moment = await _start(services, last_event_id, after, since)
    cloud = format == "cloudevents" or CLOUDEVENTS in request.headers.get("accept", "")
    client = getattr(request.state, "principal", None) or f"address {request.client.host if request.client else '-'}"
    subscriber = services.feed.subscribe(client)
    stream = FeedStream(
        services.feed,
        services.feed_reader,
        subscriber,
        filters,
        start,
        StreamLimits(s.feed_heartbeat_seconds, s.feed_lifetime_seconds),
        moment,
        _still_allowed(services, request),
    )
    source = s.log_origin if cloud else None

    def render(batch: list[Item]) -> str:
        return "".join(sse(item, source) for item in batch)

    return EventStream(
        stream.batches(),
        render,
        retry_line(s.feed_retry_ms),
        s.feed_send_timeout_seconds,
        lambda: services.feed.unsubscribe(subscriber),  # a generator never started runs no finally
    )


async def _start(
    services: Services, last_event_id: str | None, after: int | None, since: str | None
) -> tuple[int, Any]:
    """The log index to start after, and the time before which records are passed over."""
    if after is not None and since is not None:
        raise InvalidValue("since", "give after or since, not both")
    moment = system_time(since, "since")  # checked even where Last-Event-ID makes it unused
    if last_event_id is not None:
        text = last_event_id.strip()
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_INDEX:
            raise InvalidValue("Last-Event-ID", f"{last_event_id[:40]!r} is not a log index (0 or more)")
        after, since = int(text), None
    size = await run_in_threadpool(services.feed_reader.size)
    if after is not None:
        if after >= size:
            last = f"the last is {size - 1}" if size else "the log is empty"
            raise InvalidValue("after", f"{after} is past the last record's log index; {last}")
        return after, None
    if moment is None:
        return -1, None
    return await run_in_threadpool(services.feed_reader.since, moment), moment


def _still_allowed(services: Services, request: Request) -> Any:
    """A check that the stream's token is still good, for its heartbeats; None without a token."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    token = header.partition(" ")[2].strip()
    admin = services.settings.admin_token
    if admin is not None and hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
        return None

    async def allowed() -> bool:
        return await run_in_threadpool(services.tokens.authenticate, token) is not None

    return allowed
