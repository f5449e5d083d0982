"""Threads that each work until stopped, tallying what they got by code: every drill's clients."""

from __future__ import annotations

import threading
from collections import Counter


class Crowd:
    """`threads` threads, each running `work(i)` until `stop()`; `tally` counts an answer's code."""

    def __init__(self, threads: int) -> None:
        self.codes: Counter[str] = Counter()
        self.sent = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.workers = [threading.Thread(target=self.work, args=(i,), daemon=True) for i in range(threads)]

    def work(self, i: int) -> None:
        raise NotImplementedError

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop(self, patience: float = 120) -> None:
        self.stopping.set()
        for worker in self.workers:
            worker.join(patience)

    def tally(self, code: str) -> None:
        with self.lock:
            self.codes[code] += 1
