"""16 concurrent writers with valid and invalid facts, with and without If-Match."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from drills.crowd import Crowd
from drills.harness import ADMIN_TOKEN, Row, check_consistency, count_lost_and_doubled, serving, statement
from infrastructure.config.settings import Settings

INVALID = (
    ("actor", "ZZZ"),  # no such actor
    ("effective_on", "2999-01-01"),  # after today
    ("type", "recognition_maybe"),  # no such type
    ("sources", [{"url": "javascript:alert(1)"}]),  # not http(s)
)


class Contenders(Crowd):
    """Each thread in turn posts a valid fact, an invalid one, and one guarded by If-Match with the
    relation version it read, all on one relation, so the guards race and some lose (412)."""

    def __init__(self, base: str, threads: int, subjects: list[str]) -> None:
        super().__init__(threads)
        self.base, self.threads, self.subjects = base, threads, subjects[:3]
        self.run = uuid.uuid4().hex[:8]
        self.acknowledged: set[str] = set()
        self.refused: set[str] = set()

    def work(self, t: int) -> None:
        with httpx.Client(base_url=self.base, timeout=60, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as c:
            n = t
            while not self.stopping.is_set():
                fact = statement(self.run, n, self.subjects[n % len(self.subjects)])
                kind = n // self.threads % 3
                headers = {"Idempotency-Key": f"{self.run}-{n}"}
                if kind == 1:
                    field, value = INVALID[n % len(INVALID)]
                    fact[field] = value
                elif kind == 2:
                    fact["actor"], fact["subject"] = "FRA", self.subjects[0]  # one relation: the guards race
                    read = c.get(f"/v1/relations/{fact['actor']}/{fact['subject']}")
                    headers["If-Match"] = read.headers.get("etag", '"0"')
                self._post(c, fact, headers, expect_refusal=kind == 1)
                n += self.threads

    def _post(self, client: httpx.Client, fact: dict[str, Any], headers: dict[str, str], expect_refusal: bool) -> None:
        quote = fact["details"]["quote"]
        try:
            status = client.post("/v1/facts", json=fact, headers=headers).status_code
        except httpx.HTTPError as error:
            status = type(error).__name__  # type: ignore[assignment]
        with self.lock:
            self.sent += 1
            self.codes[str(status)] += 1
            if status in (200, 201):
                self.acknowledged.add(quote)
                if expect_refusal:
                    self.refused.add(quote)  # accepted what it should refuse: counted as stored wrongly
            elif isinstance(status, int) and 400 <= status < 500:
                self.refused.add(quote)


def concurrent_writers(settings: Settings, work: Path, subjects: list[str], seconds: float) -> Row:
    row = Row("16 concurrent writers: valid, invalid, If-Match", settings.backend)
    with serving(settings.database_url, work / "writers.log") as server:
        contenders = Contenders(server.base, 16, subjects)
        contenders.start()
        time.sleep(seconds)
        contenders.stop()
    row.load = f"16 writers, {seconds:g} s"
    row.faults = "a third invalid, a third If-Match on one relation"
    row.inputs, row.codes = contenders.sent, contenders.codes
    if any(code.startswith("5") for code in row.codes) or "412" not in row.codes or "422" not in row.codes:
        row.checks.append("expected 201, 412 and 422, and no 5xx")
    count_lost_and_doubled(row, settings, contenders.acknowledged - contenders.refused, contenders.refused)
    check_consistency(row, settings, subjects[:3])
    return row
