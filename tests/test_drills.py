"""The short drills in every test run: every promise holds under kill -9, outages, contention,
floods and hostile input, on both backends (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.test_bench import ROOT, _need_postgres

DRILLS = {
    "kill -9 during an import, then import again",
    "kill -9 during a rebuild, then rebuild again",
    "kill -9 of the server under write load",
    "16 concurrent writers: valid, invalid, If-Match",
    "slow clients and header floods",
    "generated hostile requests and log forging",
}


@pytest.mark.slow
@pytest.mark.postgres
def test_the_short_drills_lose_and_double_nothing(tmp_path: Path) -> None:
    _need_postgres()
    out = tmp_path / "drills.json"
    command = [sys.executable, "-m", "drills.run", "--short", "--admin-url", PG_URL, "--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    rows = json.loads(out.read_text())
    by_backend = {backend: {r["drill"] for r in rows if r["backend"] == backend} for backend in ("sqlite", "postgres")}
    assert by_backend["sqlite"] == DRILLS
    assert by_backend["postgres"] == DRILLS | {"database unreachable under load, and back"}
    for row in rows:
        assert (row["lost"], row["doubled"], row["checks"]) == (0, 0, []), row
        assert row["inputs"] > 0 and sum(row["codes"].values()) > 0, row
        assert not any(code.startswith("5") and code != "503" for code in row["codes"]), row
    assert done.returncode == 0, done.stdout[-3000:]
    outage = next(r for r in rows if r["drill"].startswith("database unreachable"))
    assert outage["codes"].get("503", 0) > 0, "the outage was felt"
    killed = next(r for r in rows if r["drill"].startswith("kill -9 during an import") and r["backend"] == "postgres")
    assert killed["faults"].startswith("kill -9 at "), "the import was killed part-way"
