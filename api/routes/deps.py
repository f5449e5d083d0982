"""Dependencies shared by the routers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from domain.errors import InvalidValue
from infrastructure.bootstrap import Services
from infrastructure.queries import Queries


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_queries(services: Annotated[Services, Depends(get_services)]) -> Queries:
    return services.queries


def valid_date(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not a real date YYYY-MM-DD") from None


def system_time(text: str | None, field: str = "recorded_at") -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not an RFC 3339 time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


At = Annotated[str | None, Query(description="Valid date YYYY-MM-DD (default: today, UTC)")]
RecordedAt = Annotated[str | None, Query(description="System time, RFC 3339 (default: now)")]
Mode = Annotated[str, Query(description="view (read model) or replay (event store)")]
