"""docs/feed.md's Python client, run as a reader would, against a server whose streams end often:
it prints every record once, in order, across its reconnects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.api.feed_client import feed_server, wait_for, write_statement

DOC = Path(__file__).resolve().parents[2] / "docs" / "feed.md"


def test_the_docs_python_client_sees_every_record_once_across_reconnects(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    blocks = re.findall(r"^```python\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "docs/feed.md has one python block"
    with feed_server("sqlite", tmp_path, clock, feed_lifetime_seconds=1.0) as (services, base):
        port = base.rsplit(":", 1)[1]
        script = tmp_path / "client.py"
        script.write_text(blocks[0].replace("8000", port))
        output = tmp_path / "client.out"
        with output.open("w") as sink:
            client = subprocess.Popen([sys.executable, str(script)], stdout=sink, stderr=subprocess.STDOUT)
        try:
            printed = lambda: output.read_text().splitlines()  # noqa: E731
            wait_for(lambda: len(printed()) == 21, "the demo's 21 records", 30)
            ended = services.feed_reader.size()
            wait_for(lambda: not services.feed.subscribers, "the client's stream reached its lifetime", 30)
            for day in range(2):
                write_statement(services, day)
            wait_for(lambda: len(printed()) >= ended + 2, "the two written while it was away", 30)
        finally:
            client.kill()
            client.wait()
        lines = printed()
        assert lines == [line for line in lines if re.fullmatch(r"(fact|subject|milestone|actor) \d+", line)], lines
        assert [int(line.split()[1]) for line in lines] == list(range(ended + 2))
