"""Batches committed one at a time, in order, while the next batch is being made."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class BatchWriter:
    """Commits each batch elsewhere (an executor), at most one in flight, and reports failures.

    Making a batch is Python work; committing one is partly waiting for the database and
    partly more Python. Given an executor — a thread, or a process of its own, which has a
    core of its own — the next batch is made here while the last one commits there. Without
    one, each batch is committed here as it is sent. `hand_over` moves later batches to an
    executor started once the work turns out to be big enough to pay for it.

    Batches commit in the order sent, each only after the one before it succeeded: the first
    failure is raised by the next `send` or `settle`, and no batch after it is committed.
    """

    def __init__(self, executor: Executor | None = None) -> None:
        self.executor = executor
        self.pending: tuple[Future[None], Callable[[], None] | None] | None = None

    def hand_over(self, executor: Executor) -> None:
        """Commit the batches sent from now on in `executor`."""
        self.settle()
        self.executor = executor

    def send(self, commit: Callable[..., None], *args: Any, then: Callable[[], None] | None = None) -> None:
        """Commit `commit(*args)` after the batch before it; `then` runs here once it has."""
        self.settle()
        if self.executor is None:
            future: Future[None] = Future()
            try:
                commit(*args)
            except BaseException as e:  # kept for settle(), as an executor would keep it
                future.set_exception(e)
            else:
                future.set_result(None)
        else:
            future = self.executor.submit(commit, *args)
        self.pending = (future, then)
        if self.executor is None:
            self.settle()

    def settle(self) -> None:
        """Wait for the batch in flight; raise its failure, if it failed."""
        if self.pending is None:
            return
        future, then = self.pending
        self.pending = None
        future.result()
        if then is not None:
            then()
