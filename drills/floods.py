"""Slow clients and header floods, while another client's latency is measured."""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

from bench.measure import children, percentiles, rss_mb
from drills.crowd import Crowd
from drills.harness import Row, check_consistency, serving
from infrastructure.config.settings import Settings

SLOW = 100  # connections sending a header a byte a second
FLOODERS = 4  # threads sending requests over the header limits, one after another


def _probe(base: str, path: str, seconds: float) -> list[float]:
    """One client's request times for `seconds`, one request at a time."""
    samples: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            with contextlib.suppress(httpx.HTTPError):
                if client.get(path).status_code == 200:
                    samples.append(time.perf_counter() - started)
    return samples


class Flood(Crowd):
    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(SLOW + FLOODERS)
        self.address = address

    def work(self, i: int) -> None:
        if i < SLOW:
            self._slow()
        else:
            self._large(i - SLOW)

    def _count(self, answer: bytes) -> None:
        code = answer[9:12].decode("ascii", "replace") if answer.startswith(b"HTTP/1.1 ") else "closed"
        with self.lock:
            self.codes[code] += 1
            self.sent += 1

    def _slow(self) -> None:
        """Slow loris: a header a byte at a time, again after each cut-off, until the flood ends."""
        while not self.stopping.is_set():
            try:
                with socket.create_connection(self.address, timeout=30) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: drill\r\nX-Slow: ")
                    while not self.stopping.is_set():
                        sock.sendall(b"a")
                        sock.settimeout(1.0)
                        try:
                            answer = sock.recv(4096)
                        except TimeoutError:
                            continue
                        self._count(answer)
                        break
            except OSError:
                self._count(b"")
                time.sleep(0.5)

    def _large(self, i: int) -> None:
        """Requests over the limits: one field of 1 MB, or 10,000 small fields."""
        big = b"X-Big: " + b"v" * 1_000_000 + b"\r\n"
        many = b"".join(b"X-F%d: v\r\n" % n for n in range(10_000))
        while not self.stopping.is_set():
            head = big if (self.sent + i) % 2 else many
            try:
                with socket.create_connection(self.address, timeout=30) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: drill\r\n" + head + b"\r\n")
                    self._count(sock.recv(4096))
            except OSError:
                self._count(b"")


def flood_for(address: tuple[str, int], seconds: float) -> tuple[int, Counter[str]]:
    """Flood `address` for `seconds`: the requests sent, and what each got."""
    flood = Flood(address)
    flood.start()
    time.sleep(seconds)
    flood.stop(30)
    return flood.sent, flood.codes


def slow_clients_and_floods(settings: Settings, work: Path, subjects: list[str], seconds: float) -> Row:
    row = Row("slow clients and header floods", settings.backend)
    path = f"/v1/subjects/{subjects[0]}/recognitions"
    env = {"LEDGER_REQUEST_READ_TIMEOUT": "5"}
    with serving(settings.database_url, work / "floods.log", **env) as server:
        assert server.process is not None
        pids = [server.process.pid, *children(server.process.pid)]
        quiet = percentiles(_probe(server.base, path, seconds / 2))
        rss_before = sum(rss_mb(pid) for pid in pids)
        # The flood runs in a process of its own: its hundred threads would slow the measured client's.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            flooding = pool.submit(flood_for, ("127.0.0.1", server.port), seconds / 2 + 2)
            time.sleep(1.5)  # its start-up, and the flood under way
            loud = percentiles(_probe(server.base, path, seconds / 2))
            rss_during = sum(rss_mb(pid) for pid in pids)
            sent, codes = flooding.result()
    row.load = f"1 client measured, {seconds / 2:g} s quiet then {seconds / 2:g} s flooded"
    row.faults = f"{SLOW} slow-loris connections, {FLOODERS} threads of 1 MB or 10,000-field headers"
    row.inputs, row.codes = sent, codes
    if quiet is None or loud is None:
        row.checks.append("the measured client got no answer")
    else:
        row.note = (
            f"other client p99 {quiet[1]:.1f} ms quiet, {loud[1]:.1f} ms flooded (p50 {quiet[0]:.1f} / {loud[0]:.1f}); "
            f"server RSS {rss_before:.0f} MB before, {rss_during:.0f} MB during"
        )
    if set(codes) - {"431", "408", "closed"}:
        row.checks.append("a flood request got an answer other than 431 or 408")
    check_consistency(row, settings, subjects[:2])
    return row
