"""Timing helpers: percentiles, rates, HTTP load (wrk, or a bounded Python client) and RSS."""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def load_client() -> str:
    """What loads the server: wrk if installed, else the bounded Python client (slower per request,
    and on the same two cores as the server, so it lowers every HTTP figure and baseline)."""
    return "wrk" if shutil.which("wrk") else "Python client"


def percentiles(samples: list[float]) -> tuple[float, float] | None:
    """p50 and p99 of samples in seconds, returned in milliseconds; None if there is no sample."""
    if not samples:
        return None
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return pick(0.50), pick(0.99)


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def per_second(count: float, seconds: float) -> float:
    """count / seconds; 0 if no time was measured (a clock too coarse to move)."""
    return count / seconds if seconds > 0 else 0.0


@dataclass(frozen=True)
class Load:
    """What a load achieved: answers per second with a 2xx status, and the requests that failed
    (an error status, a socket error or a timeout: a busy server gives these, so they are counted)."""

    per_second: float
    failed: int = 0


POST_SCRIPT = """
counter = FIRST
request = function()
  counter = counter + 1
  local body = string.format(BODY, 1000 + counter % 900, counter)
  return wrk.format("POST", "/v1/facts", {["Content-Type"] = "application/json", ["Authorization"] = AUTH}, body)
end
"""


def fact_body(run: str, subject: str, n: str) -> str:
    """A new statement each time (run and n differ), toward a subject of the synthetic ledger."""
    return json.dumps(
        {
            "type": "statement_made",
            "actor": "FRA",
            "subject": subject,
            "effective_on": "2020-01-01",
            "details": {"stance": "neutral", "quote": f"bench {run} {n}"},
            "sources": [{"url": "https://example.org/bench"}],
        }
    )


def post_load(base: str, seconds: float, token: str, first: int = 0) -> Load:
    """Facts per second posted by one client, one request at a time: wrk -c1, else httpx.

    The n-th statement goes to subject 1000 + n % 900, n counted from `first` (a run in rounds
    goes on where the last round stopped).
    """
    run = uuid.uuid4().hex[:8]  # statements differ from any earlier run's: no duplicates
    if shutil.which("wrk"):
        template = fact_body(run, "subject-%04d", "%d")  # filled in by Lua's string.format
        script = POST_SCRIPT.replace("FIRST", str(first)).replace("BODY", json.dumps(template))
        script = script.replace("AUTH", json.dumps(f"Bearer {token}"))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(script)
        try:
            return _wrk(["-t1", "-c1", f"-d{max(1, int(seconds))}s", "-s", f.name, base + "/v1/facts"])
        finally:
            Path(f.name).unlink()
    count, failed, started = first, 0, time.perf_counter()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, timeout=10, headers=headers) as client:
        while count == first or time.perf_counter() - started < seconds:  # one post at least, however late
            body = fact_body(run, f"subject-{1000 + count % 900:04d}", str(count))
            count += 1
            if not _answered(client.post, "/v1/facts", content=body):
                failed += 1
    return Load(per_second(count - first - failed, time.perf_counter() - started), failed)


def _answered(request: Callable[..., httpx.Response], *args: Any, **kwargs: Any) -> bool:
    """Whether a request was answered with a success status (a refusal or timeout is counted, not raised)."""
    try:
        return request(*args, **kwargs).is_success
    except httpx.HTTPError:
        return False


def wait_until_ready(base: str, server: subprocess.Popen[Any] | None = None, seconds: float = 120) -> str | None:
    """Poll `GET /readyz` until it answers 200: None then, else why not (the server exited, or did not
    answer in `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        if server is not None and server.poll() is not None:
            return f"the server exited with code {server.returncode} before it was ready"
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            return f"the server at {base} was not ready in {seconds:g} s"
        time.sleep(0.2)


def wrk_load(report: str) -> Load:
    """wrk's report, read: its Requests/sec counts every answer, so those with an error status are
    taken out of it, and they and the socket errors (timeouts among them) are counted as failed."""
    found = re.search(r"Requests/sec:\s+([\d.]+)", report)
    answered = re.search(r"(\d+) requests in ", report)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    refused = int(non_2xx.group(1)) if non_2xx else 0
    failed = refused + (sum(int(n) for n in errors.groups()) if errors else 0)
    total = int(answered.group(1)) if answered else 0
    if not found or total <= refused:
        return Load(0.0, failed)
    return Load(float(found.group(1)) * (total - refused) / total, failed)


def wrk_latency(url: str, seconds: float, script: str | None = None) -> tuple[float, float] | None:
    """p50 and p99 in ms of one client asking one request at a time (wrk -t1 -c1 --latency), each
    request made by the Lua `script` if given; None if nothing was answered."""
    args = ["-t1", "-c1", "--latency", f"-d{max(1, int(seconds))}s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script or "")
    try:
        report = subprocess.run(
            ["wrk", *args, *(["-s", f.name] if script else []), url], capture_output=True, text=True, check=True
        ).stdout
    finally:
        Path(f.name).unlink()
    found = {q: re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\s*$", report, re.M) for q in (50, 99)}
    if not all(found.values()):
        return None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p50, p99 = (float(m.group(1)) * scale[m.group(2)] for m in found.values() if m)
    return p50, p99


def _wrk(args: list[str]) -> Load:
    # check=True: wrk exits non-zero on bad arguments or script, or if nothing listens; not for a slow server.
    return wrk_load(subprocess.run(["wrk", *args], capture_output=True, text=True, check=True).stdout)


def load(url: str, seconds: float, connections: int = 16) -> Load:
    """Requests per second against one URL: wrk if installed, else a bounded thread pool."""
    if shutil.which("wrk"):
        return _wrk(["-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", url])
    answered, failed, lock = [0], [0], threading.Lock()
    started = time.monotonic()
    stop = started + seconds

    def worker() -> None:
        with httpx.Client(timeout=10) as client:
            while True:  # one request at least, however late the thread starts
                ok = _answered(client.get, url)
                with lock:
                    (answered if ok else failed)[0] += 1
                if time.monotonic() >= stop:
                    return

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Load(per_second(answered[0], time.monotonic() - started), failed[0])


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB; 0 if it has gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """The processes `pid` started that are still running (none if it has gone)."""
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


class RssWatch:
    """Samples the RSS of a process tree in the background; `peak` is the largest worker seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0.0, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            for pid in [self.pid, *children(self.pid)]:
                self.peak = max(self.peak, rss_mb(pid))
            time.sleep(0.2)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak


@dataclass(frozen=True)
class CpuTimes:
    """CPU seconds used so far, user and system: by this process (all its threads), by the helper
    processes it started and waited for (an import's writer, a rebuild's workers), and by the
    PostgreSQL server, if it runs on this machine (None if no `postgres` process is visible)."""

    own: float
    helpers: float
    database: float | None

    @classmethod
    def now(cls) -> CpuTimes:
        own, helpers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return cls(own.ru_utime + own.ru_stime, helpers.ru_utime + helpers.ru_stime, postgres_cpu())

    def since(self, start: CpuTimes) -> CpuTimes:
        database = None
        if self.database is not None and start.database is not None:
            database = self.database - start.database
        return CpuTimes(self.own - start.own, self.helpers - start.helpers, database)


def postgres_cpu(proc: Path = Path("/proc")) -> float | None:
    """CPU seconds of every `postgres` process here, with the children they have waited for (the
    postmaster's count keeps the time of backends that have exited); None if there are none."""
    ticks, found = 0, False
    for stat in proc.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
            if name == "postgres":
                ticks += sum(int(field) for field in rest[11:15])  # utime, stime, cutime, cstime
                found = True
    return ticks / os.sysconf("SC_CLK_TCK") if found else None
