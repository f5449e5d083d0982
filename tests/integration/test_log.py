"""The verifiable log on both backends: a leaf per record written with it, proofs that verify,
checkpoints consistent with each other, and storage changed behind the service's back found."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import Services, build
from infrastructure.bulk.expected_checkpoint import check_expected, read_checkpoint
from infrastructure.bulk.export import export_lines
from infrastructure.bulk.importer import Importer
from infrastructure.bulk.verify import verify_log
from infrastructure.config.settings import Settings
from infrastructure.datasets.loader import load_demo
from infrastructure.errors import ImportMismatch
from infrastructure.log import merkle
from infrastructure.log.note import Verifier, create_key_file
from infrastructure.log.proof_check import ProofError, check_document
from infrastructure.log.records import record_hash
from infrastructure.log.tree import Leaf
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock, database

ORIGIN = "example.org/ledger-test"
SRC = [{"url": "https://example.org/source", "title": "A source"}]
# ledger verify remakes leaves in one process, or (on PostgreSQL) shares the store out to two
WORKERS = pytest.mark.parametrize("workers", [1, 2])


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "signing.key"
    create_key_file(path)
    return path


@contextmanager
def opened(backend: str, tmp_path: Path, clock: Clock, key: Path | None) -> Iterator[tuple[Services, str]]:
    with database(backend, str(tmp_path)) as url:
        settings = Settings(database_url=url, pool_size=2, pool_max_overflow=6, log_origin=ORIGIN, signing_key_file=key)
        s = build(settings, clock)
        try:
            yield s, url
        finally:
            s.close()


@pytest.fixture
def signed(backend: str, tmp_path: Path, clock: Clock, key_file: Path) -> Iterator[tuple[Services, str]]:
    with opened(backend, tmp_path, clock, key_file) as (s, url):
        load_demo(s.ledger)
        yield s, url


@contextmanager
def raw(url: str) -> Iterator[Any]:
    """A connection behind the service's back; statements use '?' placeholders."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            yield (
                lambda sql, params=(): (
                    conn.execute(sql, params).fetchall()
                    if sql.lstrip().startswith("SELECT")
                    else conn.execute(sql, params)
                )
            )
            conn.commit()
        finally:
            conn.close()
        return
    with psycopg.connect(url, autocommit=True) as conn:

        def run(sql: str, params: Any = ()) -> Any:
            cur = conn.execute(sql.replace("?", "%s").encode(), params)
            return cur.fetchall() if sql.lstrip().startswith("SELECT") else None

        yield run


def events(s: Services) -> tuple[str, str]:
    """The events table and its notification id column."""
    table = s.ledger.recorder.events_table_name  # type: ignore[attr-defined]
    return table, ("rowid" if s.settings.backend == "sqlite" else "notification_id")


def fact_event(s: Services, run: Any, fact_id: str) -> int:
    table, nid = events(s)
    rows = run(f"SELECT {nid}, state FROM {table} ORDER BY {nid}")
    return next(int(n) for n, state in rows if fact_id.encode() in bytes(state))


def russia(s: Services) -> str:
    facts = s.ledger.view.audit(s.queries.audit_filters.checked({"actor": ["RUS"], "subject": ["taliban-iea"]}), 0, 100)
    return next(f["fact_id"] for f in facts if f["type"] == "recognition_granted")


def test_every_record_is_a_leaf_and_an_answer_proves_its_facts(signed: tuple[Services, str]) -> None:
    s, _ = signed
    lines = list(export_lines(s.ledger, s.log.checkpoints))
    assert s.ledger.tree.size() == len(lines) - 1 == 21
    verifier = Verifier.parse(s.log.key())
    with TestClient(create_app(services=s)) as client:
        answer = client.get(
            "/v1/subjects/taliban-iea/recognitions", params={"at": "2025-07-03", "proof": "true"}
        ).json()
        assert set(answer["proof"]["facts"]) == set(answer["evidence"])
        assert check_document(answer, verifier).leaves == len(answer["evidence"])
        plain = client.get("/v1/subjects/taliban-iea/recognitions", params={"at": "2025-07-03"}).json()
        assert "proof" not in plain
        for path in ("/v1/subjects/taliban-iea/status", "/v1/actors/RUS/status", "/v1/relations/RUS/taliban-iea"):
            proved = client.get(path, params={"at": "2025-07-03", "proof": "true"}).json()
            assert check_document(proved, verifier).leaves >= 1, path
        changes = client.get(
            "/v1/subjects/taliban-iea/changes", params={"from": "2025-07-01", "to": "2025-07-05", "proof": "true"}
        ).json()
        assert check_document(changes, verifier).leaves == len(changes["evidence"]) >= 1
        fact_id = russia(s)
        fact = client.get(f"/v1/facts/{fact_id}").json()
        inclusion = client.get("/v1/log/proof/inclusion", params={"fact_id": fact_id}).json()
        assert inclusion["index"] == fact["log_index"] and inclusion["record"]["fact_id"] == fact_id
        assert inclusion["record"]["recorded_at"] == fact["recorded_at"] and fact["recorded_at"].endswith("Z")
        assert check_document(inclusion, verifier).leaves == 1
        checkpoint = client.get("/v1/log/checkpoint")
        assert checkpoint.headers["ledger-checkpoint-signed"] == "true"
        assert verifier.verify(checkpoint.text).size == 21
        assert client.get("/v1/log/key").text.strip() == str(verifier)
    # A changed record, another key, a changed checkpoint: each refused, naming what failed.
    lied = answer | {"evidence": {**answer["evidence"]}}
    first = next(iter(lied["proof"]["facts"]))
    lied["proof"] = {**answer["proof"], "facts": {**answer["proof"]["facts"]}}
    lied["proof"]["facts"][first] = {**lied["proof"]["facts"][first]}
    lied["proof"]["facts"][first]["record"] = {**lied["proof"]["facts"][first]["record"], "effective_on": "2025-07-02"}
    with pytest.raises(ProofError, match=r"effective_on differs|does not hash"):
        check_document(lied, verifier)
    other = Verifier(verifier.name, bytes(32))
    with pytest.raises(ProofError, match="no signature by"):
        check_document(answer, other)
    bent = answer | {
        "proof": answer["proof"] | {"checkpoint": answer["proof"]["checkpoint"].replace("\n21\n", "\n20\n")}
    }
    with pytest.raises(ProofError, match="does not verify"):
        check_document(bent, verifier)


def test_an_unsigned_ledger_serves_its_tree_and_says_so(backend: str, tmp_path: Path, clock: Clock) -> None:
    with opened(backend, tmp_path, clock, None) as (s, _):
        load_demo(s.ledger)
        with TestClient(create_app(services=s)) as client:
            checkpoint = client.get("/v1/log/checkpoint")
            assert checkpoint.headers["ledger-checkpoint-signed"] == "false"
            assert checkpoint.text.count("\n") == 3 and "\u2014" not in checkpoint.text
            assert client.get("/v1/log/key").status_code == 404
            proof = client.get("/v1/log/proof/inclusion", params={"index": 3}).json()
            root = base64.b64decode(checkpoint.text.split("\n")[2])
            path = [base64.b64decode(h) for h in proof["hashes"]]
            assert merkle.verify_inclusion(3, 21, base64.b64decode(proof["leaf_hash"]), path, root)


def test_checkpoints_stored_unsigned_are_served_signed_once_a_key_is_set_but_never_a_changed_root(
    backend: str, tmp_path: Path, clock: Clock, key_file: Path
) -> None:
    with database(backend, str(tmp_path)) as url:
        unsigned = build(Settings(database_url=url, pool_size=2, log_origin=ORIGIN), clock)
        try:
            load_demo(unsigned.ledger)
            assert not unsigned.log.checkpoints.make(21).signed and not unsigned.log.checkpoints.make(10).signed
        finally:
            unsigned.close()
        s = build(Settings(database_url=url, pool_size=2, log_origin=ORIGIN, signing_key_file=key_file), clock)
        try:
            with TestClient(create_app(services=s)) as client:
                answer = client.get("/v1/log/checkpoint", params={"size": 21})
                assert answer.headers["ledger-checkpoint-signed"] == "true"
                Verifier.parse(client.get("/v1/log/key").text.strip()).verify(answer.text)
                proof = client.get("/v1/log/proof/inclusion", params={"index": 3, "size": 21}).json()
                assert proof["checkpoint"] == answer.text
                with raw(url) as run:
                    run("UPDATE ledger_log_checkpoints SET root = ? WHERE size = 10", (bytes(32),))
                refused = client.get("/v1/log/checkpoint", params={"size": 10})
                assert refused.status_code == 500 and "not the log's at that size" in refused.json()["detail"]
                assert not s.log.checkpoints.at(10).signed  # type: ignore[union-attr]
        finally:
            s.close()


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"index": 21, "size": 21}, 422, "index"),
        ({"index": 0, "size": 22}, 422, "size"),
        ({"index": 0, "fact_id": "x"}, 422, "index"),
        ({}, 422, "index"),
        ({"fact_id": "not-a-uuid"}, 404, "fact_id"),
        ({"index": -1}, 422, "index"),
        ({"index": "x"}, 422, "index"),
        ({"index": 2**62 + 1}, 422, "index"),
        ({"index": 0, "size": 0}, 422, "size"),
        ({"index": 0, "size": "1.5"}, 422, "size"),
    ],
)
def test_bad_proof_requests_name_the_field(
    signed: tuple[Services, str], params: dict[str, Any], status: int, field: str
) -> None:
    s, _ = signed
    with TestClient(create_app(services=s)) as client:
        response = client.get("/v1/log/proof/inclusion", params=params)
        assert response.status_code == status, response.text
        assert field in response.text
        for bad, name in (
            ({"from": 5, "to": 4}, "from"),
            ({"from": 1, "to": 99}, "to"),
            ({"from": "x", "to": 3}, "from"),
        ):
            wrong = client.get("/v1/log/proof/consistency", params=bad)
            assert wrong.status_code == 422 and name in wrong.text
        missing = client.get("/v1/log/checkpoint", params={"size": 5})
        assert missing.status_code == 404 and "size" in missing.text


def test_checkpoints_are_kept_and_consistent_with_every_later_one(signed: tuple[Services, str], clock: Clock) -> None:
    s, _ = signed
    sizes = []
    for i in range(3):
        sizes.append(s.log.checkpoints.latest().checkpoint.size)
        clock.advance(seconds=2)
        s.ledger.record_fact(
            {
                "type": "sanctions_imposed",
                "actor": "CHN",
                "subject": "taliban-iea",
                "effective_on": f"2025-0{i + 1}-01",
                "details": {"regime": f"regime {i}"},
                "sources": SRC,
            },
            WriteRequest("ed"),
        )
    sizes.append(s.log.checkpoints.latest().checkpoint.size)
    kept = {c.checkpoint.size: c.checkpoint.root for c in s.log.checkpoints.all()}
    assert sorted(kept) == sizes == [21, 22, 23, 24]
    for first in sizes:
        for second in sizes:
            if first <= second:
                path = [base64.b64decode(h) for h in s.log.consistency(first, second)["hashes"]]
                assert merkle.verify_consistency(first, second, kept[first], kept[second], path)
    result = verify_log(s.ledger, s.log.checkpoints)
    assert (result.problem, result.records, result.checkpoints) == (None, 24, 4)


@WORKERS
def test_a_changed_payload_is_named_by_its_index(signed: tuple[Services, str], workers: int) -> None:
    s, url = signed
    alone, shared = verify_log(s.ledger, s.log.checkpoints), verify_log(s.ledger, s.log.checkpoints, workers, 0)
    assert (shared.problem, shared.records, shared.root) == (None, 21, alone.root)
    fact_id = russia(s)
    index = s.ledger.tree.index_of_fact(fact_id)
    table, nid = events(s)
    with raw(url) as run:
        n = fact_event(s, run, fact_id)
        [(state,)] = run(f"SELECT state FROM {table} WHERE {nid} = ?", (n,))
        run(f"UPDATE {table} SET state = ? WHERE {nid} = ?", (bytes(state).replace(b"2025-07-03", b"2025-07-02"), n))
    result = verify_log(s.ledger, s.log.checkpoints, workers, workers_after=0)
    assert result.problem == f"log index {index}: fact {fact_id} as stored does not hash to its leaf"


@WORKERS
def test_a_deleted_row_is_named_by_its_index(signed: tuple[Services, str], workers: int) -> None:
    s, url = signed
    fact_id = russia(s)
    index = s.ledger.tree.index_of_fact(fact_id)
    table, nid = events(s)
    with raw(url) as run:
        run(f"DELETE FROM {table} WHERE {nid} = ?", (fact_event(s, run, fact_id),))
    result = verify_log(s.ledger, s.log.checkpoints, workers, workers_after=0)
    assert result.problem is not None and result.problem.startswith(f"log index {index}: ")


@WORKERS
def test_two_swapped_rows_are_named_by_the_first_index(signed: tuple[Services, str], workers: int) -> None:
    s, url = signed
    table, nid = events(s)
    fact_id = russia(s)
    index = s.ledger.tree.index_of_fact(fact_id)
    with raw(url) as run:
        a = fact_event(s, run, fact_id)
        [(b,)] = run(f"SELECT MIN({nid}) FROM {table} WHERE {nid} > ?", (a,))
        run(f"UPDATE {table} SET {nid} = -1 WHERE {nid} = ?", (a,))
        run(f"UPDATE {table} SET {nid} = ? WHERE {nid} = ?", (a, b))
        run(f"UPDATE {table} SET {nid} = ? WHERE {nid} = -1", (b,))
    result = verify_log(s.ledger, s.log.checkpoints, workers, workers_after=0)
    assert result.problem is not None and result.problem.startswith(f"log index {index}: ")


@WORKERS
def test_an_unreadable_event_is_named_by_its_index(signed: tuple[Services, str], workers: int) -> None:
    s, url = signed
    fact_id = russia(s)
    index = s.ledger.tree.index_of_fact(fact_id)
    table, nid = events(s)
    with raw(url) as run:
        run(f"UPDATE {table} SET state = ? WHERE {nid} = ?", (b"{not json", fact_event(s, run, fact_id)))
    result = verify_log(s.ledger, s.log.checkpoints, workers, workers_after=0)
    assert result.problem is not None
    assert result.problem.startswith(f"log index {index}: its stored event cannot be read (JSONDecodeError(")


def test_export_then_import_gives_the_same_root_and_an_edited_line_is_refused(
    signed: tuple[Services, str], backend: str, tmp_path: Path, clock: Clock
) -> None:
    s, _ = signed
    lines = list(export_lines(s.ledger, s.log.checkpoints))
    expected = read_checkpoint("\n".join(lines))
    assert check_expected(lines, expected) == 21
    edited = [line.replace('"2025-07-03"', '"2025-07-02"') for line in lines]
    assert edited != lines
    with pytest.raises(ImportMismatch, match="do not hash to the checkpoint's root"):
        check_expected(edited, expected)
    with pytest.raises(ImportMismatch, match="holds 20 records"):
        check_expected(lines[1:], expected)
    (tmp_path / "copy").mkdir()
    with opened(backend, tmp_path / "copy", clock, None) as (copy, _):
        Importer(copy.ledger, 7).run(lines)
        assert copy.log.checkpoints.latest().checkpoint.root == expected.root
        assert list(export_lines(copy.ledger, copy.log.checkpoints))[:-1] == lines[:-1]


def test_a_time_imported_with_another_offset_is_stored_in_utc_and_proves(
    signed: tuple[Services, str], backend: str, tmp_path: Path, clock: Clock
) -> None:
    s, _ = signed
    fact_id = russia(s)
    lines = list(export_lines(s.ledger, s.log.checkpoints))
    [at] = [i for i, line in enumerate(lines) if fact_id in line and '"record":"fact"' in line]
    line = json.loads(lines[at])
    utc = datetime.fromisoformat(line["recorded_at"])
    shifted = {**line, "recorded_at": utc.astimezone(timezone(timedelta(hours=2))).isoformat()}
    assert shifted["recorded_at"] != line["recorded_at"]
    (tmp_path / "copy").mkdir()
    with opened(backend, tmp_path / "copy", clock, None) as (copy, _):
        Importer(copy.ledger, 7).run([*lines[:at], json.dumps(shifted), *lines[at + 1 :]])
        assert copy.log.checkpoints.latest().checkpoint.root == s.log.checkpoints.latest().checkpoint.root
        proof = copy.log.inclusion(None, None, fact_id)
        assert record_hash(proof["record"]) == base64.b64decode(proof["leaf_hash"])
    naive = {**line, "recorded_at": utc.replace(tzinfo=None).isoformat()}
    (tmp_path / "naive").mkdir()
    with (
        opened(backend, tmp_path / "naive", clock, None) as (copy, _),
        pytest.raises(ImportMismatch, match=r"recorded_at .* is not a time with an offset"),
    ):
        Importer(copy.ledger, 7).run([*lines[:at], json.dumps(naive), *lines[at + 1 :]])


def test_retries_with_one_key_and_concurrent_writers_make_one_leaf_each(signed: tuple[Services, str]) -> None:
    s, _ = signed
    fact = {
        "type": "sanctions_imposed",
        "actor": "QAT",
        "subject": "taliban-iea",
        "effective_on": "2024-03-01",
        "details": {"regime": "a regime"},
        "sources": SRC,
    }
    first = s.ledger.record_fact(fact, WriteRequest("ed", key="once", body_hash="h"))
    again = s.ledger.record_fact(fact, WriteRequest("ed", key="once", body_hash="h"))
    assert first == again and s.ledger.tree.size() == 22
    actors = ["FRA", "DEU", "ITA", "ESP", "NLD", "BEL"]

    def write(actor: str) -> None:
        for month in (1, 2, 3):
            body = {**fact, "actor": actor, "effective_on": f"2024-0{month}-15", "details": {"regime": f"r{month}"}}
            s.ledger.record_fact(body, WriteRequest("ed", key=f"{actor}-{month}", body_hash="h"))
            s.ledger.record_fact(body, WriteRequest("ed", key=f"{actor}-{month}", body_hash="h"))

    threads = [threading.Thread(target=write, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert s.ledger.tree.size() == 22 + 3 * len(actors)
    result = verify_log(s.ledger, s.log.checkpoints)
    assert (result.problem, result.records) == (None, 22 + 3 * len(actors))


def test_the_stored_tree_answers_as_the_tree_in_memory_across_tiles(backend: str, tmp_path: Path, clock: Clock) -> None:
    with opened(backend, tmp_path, clock, None) as (s, _):
        hashes = [merkle.leaf_hash(i.to_bytes(3, "big")) for i in range(700)]
        with s.ledger.dialect.writing() as cursor:
            s.ledger.tree.append(cursor, [Leaf(h) for h in hashes[:300]])
        with s.ledger.dialect.writing() as cursor:
            s.ledger.tree.append(cursor, [Leaf(h) for h in hashes[300:]])
        tree = s.ledger.tree
        for size in (1, 255, 256, 257, 511, 512, 513, 699, 700):
            assert tree.root(size) == merkle.root(hashes[:size]), size
            for index in {0, size // 2, size - 1}:
                assert tree.inclusion(index, size) == (
                    hashes[index],
                    merkle.proof_hashes(merkle.inclusion_ranges(index, size), hashes),
                )
            for first in {1, size // 3, size - 1, size}:
                if first:
                    want = merkle.proof_hashes(merkle.consistency_ranges(first, size), hashes)
                    assert tree.consistency(first, size) == want


def test_an_inclusion_proof_asked_again_costs_one_statement(signed: tuple[Services, str]) -> None:
    """The kept subtree hashes and the leaves a proof needs come in one statement; the tree's
    size and a served checkpoint, once read, are not read again (a tree only grows, and a
    signed checkpoint never changes)."""
    s, _ = signed
    size = s.log.checkpoint().checkpoint.size
    s.log.inclusion(0, size, None)
    statements: list[str] = []
    dialect = s.ledger.dialect
    read = dialect.tuples

    def counted(sql: str, params: Any) -> Any:
        statements.append(sql)
        return read(sql, params)

    dialect.tuples = counted  # type: ignore[method-assign]
    try:
        proof = s.log.inclusion(size - 1, size, None)
    finally:
        dialect.tuples = read  # type: ignore[method-assign]
    assert len(statements) == 1, statements
    assert proof["checkpoint"] == s.log.checkpoint(size).note


def test_a_ledger_that_kept_only_larger_subtrees_gets_the_smaller_ones_when_it_opens(
    backend: str, tmp_path: Path, clock: Clock
) -> None:
    """Kept subtree hashes below level 8 removed behind the service's back (as a ledger kept them
    when it kept 256-leaf subtrees and up): opening it again keeps them again, the proofs and root
    unchanged."""
    with database(backend, str(tmp_path)) as url:
        settings = Settings(database_url=url, pool_size=2, log_origin=ORIGIN)
        s = build(settings, clock)
        try:
            with s.ledger.dialect.writing() as cursor:
                s.ledger.tree.append(cursor, [Leaf(merkle.leaf_hash(i.to_bytes(3, "big"))) for i in range(600)])
            before = s.ledger.tree.root(600), s.ledger.tree.inclusion(37, 600)
        finally:
            s.close()
        with raw(url) as run:
            run("DELETE FROM ledger_log_nodes WHERE level < 8")
            assert run("SELECT COUNT(*) FROM ledger_log_nodes WHERE level < 8")[0][0] == 0
        s = build(settings, clock)
        try:
            with raw(url) as run:
                assert run("SELECT COUNT(*) FROM ledger_log_nodes WHERE level = 4")[0][0] == 600 // 16
            assert (s.ledger.tree.root(600), s.ledger.tree.inclusion(37, 600)) == before
        finally:
            s.close()
