"""BatchWriter: one batch in flight, commits in order, the first failure stops the rest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from infrastructure.bulk.batch_writer import BatchWriter


class Store:
    """Records what was committed, and lets a test hold a commit until it says go."""

    def __init__(self) -> None:
        self.committed: list[int] = []
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()
        self.go = threading.Event()
        self.go.set()

    def commit(self, batch: int, fail: bool = False) -> None:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.go.wait(5)
        with self.lock:
            self.running -= 1
        if fail:
            raise RuntimeError(f"batch {batch} failed")
        self.committed.append(batch)


def test_without_an_executor_each_batch_commits_as_it_is_sent() -> None:
    store, done = Store(), []
    writer = BatchWriter()
    writer.send(store.commit, 1, then=lambda: done.append(1))
    assert store.committed == [1] and done == [1]
    with pytest.raises(RuntimeError, match="batch 2 failed"):
        writer.send(store.commit, 2, True, then=lambda: done.append(2))
    assert done == [1], "a failed batch is not reported done"
    writer.send(store.commit, 3)
    assert store.committed == [1, 3]


def test_with_an_executor_batches_commit_in_order_one_at_a_time() -> None:
    store, done = Store(), []
    with ThreadPoolExecutor(1) as pool:
        writer = BatchWriter(pool)
        for batch in range(1, 6):
            writer.send(store.commit, batch, then=lambda b=batch: done.append(b))  # type: ignore[misc]
        writer.settle()
    assert store.committed == [1, 2, 3, 4, 5]
    assert done == [1, 2, 3, 4, 5]
    assert store.most_at_once == 1


def test_the_next_batch_is_made_while_the_last_one_commits() -> None:
    store = Store()
    store.go.clear()  # the commit waits until the test has gone on
    with ThreadPoolExecutor(1) as pool:
        writer = BatchWriter(pool)
        writer.send(store.commit, 1)
        assert store.committed == [], "send() returned before the commit finished"
        store.go.set()
        writer.settle()
    assert store.committed == [1]


def test_a_failure_is_raised_by_the_next_send_and_nothing_after_it_commits() -> None:
    store = Store()
    with ThreadPoolExecutor(1) as pool:
        writer = BatchWriter(pool)
        writer.send(store.commit, 1)
        writer.send(store.commit, 2, True)
        with pytest.raises(RuntimeError, match="batch 2 failed"):
            writer.send(store.commit, 3)
        writer.settle()
    assert store.committed == [1], "batch 3 was never started"


def test_hand_over_moves_later_batches_to_the_executor() -> None:
    where: list[str] = []

    def commit(batch: int) -> None:
        where.append(threading.current_thread().name)

    writer = BatchWriter()
    writer.send(commit, 1)
    with ThreadPoolExecutor(1, thread_name_prefix="elsewhere") as pool:
        writer.hand_over(pool)
        writer.send(commit, 2)
        writer.settle()
    assert where[0] == threading.current_thread().name
    assert where[1].startswith("elsewhere")
