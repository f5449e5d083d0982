"""Timing helpers: percentiles, rates, HTTP load (wrk, or a bounded Python client) and RSS."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 of samples in seconds, returned in milliseconds."""
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return pick(0.50), pick(0.99)


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def rate(count: int, call: Callable[[], Any]) -> float:
    """Items per second for one call that handles `count` items."""
    started = time.perf_counter()
    call()
    return count / (time.perf_counter() - started)


def load(url: str, seconds: float, connections: int = 16) -> float:
    """Requests per second against one URL: wrk if installed, else a bounded thread pool."""
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if non_2xx:
            raise RuntimeError(f"{non_2xx.group(1)} failed responses from {url}")
        return float(match.group(1)) if match else 0.0
    count, stop = [0], time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < stop:
                client.get(url).raise_for_status()
                count[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / seconds


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


class RssWatch:
    """Samples the RSS of a process tree in the background; `peak` is the largest worker seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0.0, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            for pid in [self.pid, *children(self.pid)]:
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    self.peak = max(self.peak, rss_mb(pid))
            time.sleep(0.2)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak
