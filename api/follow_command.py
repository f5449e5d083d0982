"""`ledger follow`: the change feed as JSON Lines, reconnecting and resuming until stopped.

With a cursor file, the last id passed is saved after each line is written, with the length
standard output had then; when standard output is a file, a restart first cuts it back to
that length, so a line written after the last saved cursor (a kill between the two) is not
written twice.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import typer

from api.cli_runtime import err
from infrastructure.config.settings import get_settings

RETRY = 3.0  # seconds before reconnecting, until the server says otherwise


class Refused(Exception):
    """The server refused the stream (4xx): reconnecting would not help."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def follow(
    after: Annotated[int | None, typer.Option(min=0, help="Start after this log index")] = None,
    subject: Annotated[list[str] | None, typer.Option(help="Only this subject's records; repeatable")] = None,
    actor: Annotated[list[str] | None, typer.Option(help="Only this actor's records; repeatable")] = None,
    type: Annotated[list[str] | None, typer.Option(help="Only this fact type or record kind; repeatable")] = None,
    cursor_file: Annotated[Path | None, typer.Option(help="Resume from, and save, the last id here")] = None,
    url: Annotated[str | None, typer.Option(help="The server (default: http://LEDGER_HOST:LEDGER_PORT)")] = None,
    token: Annotated[str | None, typer.Option(envvar="LEDGER_TOKEN", help="A bearer token, if reads need one")] = None,
) -> None:
    """Print every record of the feed as a JSON line, live, resuming after any disconnect."""
    settings = get_settings()
    base = (url or f"http://{settings.host}:{settings.port}").rstrip("/")
    cursor = _load(cursor_file)
    if cursor is not None:
        after = cursor["after"]
        _cut_output(cursor.get("offset"))
    query = [("subject", s) for s in subject or ()] + [("actor", a) for a in actor or ()]
    query += [("type", t) for t in type or ()]
    retry = RETRY
    try:
        while True:
            try:
                for name, event_id, data in _events(base, query, after, token):
                    if name == "retry":
                        retry = int(data) / 1000
                        continue
                    if name not in ("caught-up", "end"):
                        _emit(data)
                    if event_id is not None and event_id != after:
                        after = event_id
                        _save(cursor_file, after)
            except OutputClosed as closed:
                if not isinstance(closed.__cause__, BrokenPipeError):
                    err.print(f"error: cannot write the output: {closed.__cause__}", highlight=False)
                raise typer.Exit(0 if isinstance(closed.__cause__, BrokenPipeError) else 1) from None
            except Refused as refused:
                err.print(f"error: {refused}", highlight=False)
                raise typer.Exit(8 if refused.status in (401, 403) else 2) from None
            except (OSError, http.client.HTTPException) as lost:
                err.print(f"feed: {lost or lost.__class__.__name__}; reconnecting in {retry:g} s", highlight=False)
            time.sleep(retry)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


class OutputClosed(Exception):
    """Standard output or the cursor file cannot be written (a closed pipe, a full disk): stop."""


def _emit(data: str) -> None:
    try:
        sys.stdout.write(data + "\n")
        sys.stdout.flush()
    except OSError as error:
        raise OutputClosed() from error


def _events(
    base: str, query: list[tuple[str, str]], after: int | None, token: str | None
) -> Iterator[tuple[str, int | None, str]]:
    """(event, id, data) of one connection's events; ("retry", None, ms) for a retry hint."""
    parts = urlsplit(base)
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_type(parts.netloc, timeout=120)  # far more than a heartbeat: a silent server is a lost one
    headers = {"Accept": "text/event-stream"}
    if after is not None:
        headers["Last-Event-ID"] = str(after)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request("GET", f"{parts.path}/v1/feed?{urlencode(query)}", headers=headers)
        response = conn.getresponse()
        if response.status != 200:
            body = response.read().decode("utf-8", "replace")
            if 400 <= response.status < 500 and response.status != 429:
                raise Refused(response.status, _detail(body, response.status))
            raise http.client.HTTPException(f"HTTP {response.status}: {_detail(body, response.status)}")
        yield from _parsed(response)
    finally:
        conn.close()


def _parsed(response: Any) -> Iterator[tuple[str, int | None, str]]:
    """The events of an SSE body (the WHATWG format: fields up to a blank line)."""
    name, event_id, data = "message", None, list[str]()
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data or event_id is not None:
                yield name, event_id, "\n".join(data)
            elif name != "message":
                yield name, None, ""
            name, event_id, data = "message", None, list[str]()
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id" and value.isdigit():
            event_id = int(value)
        elif field == "retry" and value.isdigit():
            yield "retry", None, value


def _detail(body: str, status: int) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        return str(json.loads(body)["detail"])
    return f"HTTP {status}"


def _load(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.exists():
        return None
    try:
        cursor = json.loads(path.read_text())
        int(cursor["after"])
    except (ValueError, KeyError, TypeError):
        err.print(f"error: {path} is not a cursor file ledger follow wrote", highlight=False)
        raise typer.Exit(2) from None
    return dict(cursor)


def _save(path: Path | None, after: int) -> None:
    """The cursor, replaced whole (a kill leaves the old one or the new one, never half of one)."""
    if path is None:
        return
    offset = _output_length()
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(json.dumps({"after": after, "offset": offset}))
        os.replace(temporary, path)
    except OSError as error:
        raise OutputClosed() from error


def _output_length() -> int | None:
    """How long standard output is, when it is a file."""
    try:
        status = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _cut_output(offset: int | None) -> None:
    """Cut standard output, when it is a file, back to its length at the last saved cursor."""
    length = _output_length()
    if offset is not None and length is not None and length > offset:
        os.ftruncate(sys.stdout.fileno(), offset)
