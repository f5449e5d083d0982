"""The web page as HTTP sees it (served from the ledger's origin alone, within its size), and the
CSV answers behind its map."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web_page import WEB
from domain.facts import FactType
from infrastructure.bootstrap import Services
from infrastructure.datasets.loader import load_demo
from infrastructure.write_request import WriteRequest

MODES = pytest.mark.parametrize("mode", ["view", "replay"])


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    load_demo(services.ledger)
    with TestClient(create_app(services=services)) as c:
        yield c


def test_the_page_is_served_at_the_root_with_a_policy_that_keeps_it_on_its_origin(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert client.head("/").status_code == 200
    # Everything it names is on its own origin, and served.
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert ref.startswith(("/", "data:", "#")), ref
        if ref.startswith("/web/"):
            assert client.get(ref).status_code == 200, ref
    script = client.get("/web/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["x-content-type-options"] == "nosniff"
    for escape in ("/web/%2e%2e/web_page.py", "/web/..%2fweb_page.py", "/web/%2e%2e/%2e%2e/pyproject.toml"):
        outside = client.get(escape)
        assert outside.request.url.raw_path.decode() == escape  # sent as written, not normalised by the client
        assert outside.status_code == 404, escape


def test_the_page_and_its_data_stay_under_600_kb() -> None:
    served = [f for f in WEB.rglob("*") if f.is_file() and "licences" not in f.parts and f.suffix != ".txt"]
    assert sum(f.stat().st_size for f in served) < 600 * 1024


def test_every_vendored_file_is_listed_with_its_version_licence_and_hash() -> None:
    listed = {}
    for line in (WEB / "vendor" / "VERSIONS.txt").read_text().splitlines():
        name, spec, licence, digest = line.split(" ")
        listed[name] = digest
        assert (WEB / "vendor" / "licences" / f"{spec.rsplit('@', 1)[0]}.txt").read_text().strip()
        assert licence in ("ISC", "BSD-3-Clause")
    vendored = {f.name for f in (WEB / "vendor").iterdir() if f.is_file() and f.name != "VERSIONS.txt"}
    assert set(listed) == vendored
    for name, digest in listed.items():
        assert digest == "sha256:" + hashlib.sha256((WEB / "vendor" / name).read_bytes()).hexdigest()


def test_the_pages_fact_types_are_the_domains() -> None:
    text = (WEB / "labels.js").read_text()
    listed = re.search(r"FACT_TYPES = \[(.*?)\];", text, re.S)
    assert listed is not None
    assert re.findall(r'"(\w+)"', listed.group(1)) == [t.value for t in FactType]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@MODES
def test_status_as_csv_is_the_json_answer_row_for_row(client: TestClient, mode: str) -> None:
    params = {"at": "2025-07-03", "mode": mode}
    answer = client.get("/v1/subjects/taliban-iea/status", params=params).json()
    sheet = client.get("/v1/subjects/taliban-iea/status", params=params | {"format": "csv"})
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/csv; charset=utf-8"
    assert sheet.headers["content-disposition"] == 'attachment; filename="taliban-iea-status-2025-07-03.csv"'
    found = rows(sheet.text)
    assert [r["actor"] for r in found] == [r["actor"] for r in answer["relations"]]
    russia = next(r for r in found if r["actor"] == "RUS")
    row = next(r for r in answer["relations"] if r["actor"] == "RUS")
    assert russia["level"] == "recognised" and russia["recognition_form"] == "de_jure"
    assert russia["recognition_since"] == "2025-07-03" and russia["recognition_since_precision"] == "day"
    assert russia["hostile"] == "false" and russia["approximate"] == "false"
    assert (russia["at"], russia["recorded_at"]) == ("2025-07-03", answer["recorded_at"])  # as the JSON says it
    arab = next(r for r in found if r["actor"] == "ARE")  # its withdrawal's date is the recognition's, not the level's
    assert arab["level"] == next(r["level"] for r in answer["relations"] if r["actor"] == "ARE") != "recognised"
    assert (arab["recognition"], arab["recognition_since"]) == ("not_recognised", "2001-09-22")
    assert russia["basis"].split(" ") == row["basis"]
    urls = [s["url"] for f in row["basis"] for s in answer["evidence"][f]["sources"]]
    assert russia["source_urls"].split(" ") == urls


def test_recognitions_and_an_actors_status_as_csv(client: TestClient) -> None:
    sheet = client.get("/v1/subjects/taliban-iea/recognitions", params={"at": "1998-01-01", "format": "csv"})
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    found = rows(sheet.text)
    assert [(r["actor"], r["since"], r["since_precision"]) for r in found] == [
        ("ARE", "1997-05-01", "month"),
        ("PAK", "1997-05-01", "month"),
        ("SAU", "1997-05-01", "month"),
    ]
    assert all(r["source_urls"].startswith("https://") for r in found)
    actor = rows(client.get("/v1/actors/RUS/status", params={"at": "2025-07-03", "format": "csv"}).text)
    assert [(r["subject"], r["level"]) for r in actor] == [("taliban-iea", "recognised")]


def test_a_format_that_is_not_one_is_refused_and_a_proof_comes_with_json_only(client: TestClient) -> None:
    for path in ("/v1/subjects/taliban-iea/status", "/v1/subjects/taliban-iea/recognitions", "/v1/actors/RUS/status"):
        refused = client.get(path, params={"format": "xml"})
        assert refused.status_code == 422, path
        assert "format" in refused.text
        refused = client.get(path, params={"format": "csv", "proof": "true"})
        assert refused.status_code == 422, path
        assert refused.json()["errors"][0]["field"] == "proof"


def test_a_cell_that_a_spreadsheet_would_run_is_not_a_formula(client: TestClient, services: Services) -> None:
    services.ledger.register_actor({"code": "EVIL", "name": "=HYPERLINK(1)", "kind": "entity"}, WriteRequest("t"))
    services.ledger.record_fact(
        {
            "type": "mission_opened",
            "actor": "EVIL",
            "subject": "taliban-iea",
            "effective_on": "2024-01-01",
            "details": {"kind": "other"},
            "sources": [{"url": "https://example.org/a", "title": "A"}],
        },
        WriteRequest("t"),
    )
    found = rows(client.get("/v1/subjects/taliban-iea/status", params={"format": "csv"}).text)
    assert next(r for r in found if r["actor"] == "EVIL")["actor_name"] == "'=HYPERLINK(1)"
