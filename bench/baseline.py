"""The eventsourcing library on its own, on the same database: the baselines."""

from __future__ import annotations

import time
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import Environment, EnvType

from bench.measure import per_second
from infrastructure.config.settings import Settings


class Note(Aggregate):
    """A trivial aggregate with one small event."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class Baseline(Application[UUID]):
    """A plain eventsourcing application with its own events table."""

    name = "Baseline"

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        return Environment(name, dict(env or {}))


def baseline_for(settings: Settings) -> Baseline:
    return Baseline(env=settings.eventsourcing_env())


def batched_save_rate(settings: Settings, events: int, batch: int = 1000) -> float:
    """Events per second saving new aggregates `batch` at a time."""
    app = baseline_for(settings)
    try:
        started = time.perf_counter()
        for start in range(0, events, batch):
            app.save(*(Note(text=f"n{i}") for i in range(start, min(events, start + batch))))
        return per_second(events, time.perf_counter() - started)
    finally:
        app.factory.close()


def single_save_rate(settings: Settings, seconds: float) -> float:
    """save() calls per second, one new aggregate each, from one thread."""
    app = baseline_for(settings)
    try:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            app.save(Note(text="n"))
            count += 1
        return per_second(count, time.perf_counter() - started)
    finally:
        app.factory.close()


def read_rate(settings: Settings, app: Application[UUID]) -> float:
    """Events per second read and decoded from an application's notification log."""
    started, count, start = time.perf_counter(), 0, 1
    while True:
        page = app.recorder.select_notifications(start, 2000)
        for n in page:
            app.mapper.to_domain_event(n)
        count += len(page)
        if len(page) < 2000:
            break
        start = page[-1].id + 1
    return per_second(count, time.perf_counter() - started)
