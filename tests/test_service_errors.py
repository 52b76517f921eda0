"""Every error path of the HTTP API answers with its status and an RFC 9457 problem body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wsis_rag.core.settings import Settings
from wsis_rag.service.app import create_app

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int, path: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert PROBLEM_KEYS <= body.keys()
    assert body["status"] == status
    assert body["instance"] == path
    assert body["type"].startswith("/problems/") and body["title"] and body["detail"]
    return body


@pytest.fixture(scope="module")
def client(built_index: Settings, retriever) -> Iterator[TestClient]:
    with TestClient(create_app(built_index, retriever)) as test_client:
        yield test_client


@pytest.fixture()
def unready_client(tmp_path: Path) -> Iterator[TestClient]:
    """An app whose settings point at a directory with no index."""
    with TestClient(create_app(Settings(index_dir=tmp_path / "no-index"))) as test_client:
        yield test_client


def test_without_an_index_the_service_is_alive_but_not_ready(unready_client: TestClient) -> None:
    assert unready_client.get("/healthz").json() == {"status": "ok"}
    body = assert_problem(unready_client.get("/readyz"), 503, "/readyz")
    assert "no index" in body["detail"] and "wsis index build" in body["detail"]
    assert_problem(unready_client.get("/search", params={"q": "ITU"}), 503, "/search")
    assert_problem(unready_client.post("/ask", json={"question": "ITU"}), 503, "/ask")


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/no/such/route"), 404, "/no/such/route")
    assert "/no/such/route" in body["detail"]


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    assert_problem(client.get("/ask"), 405, "/ask")


def test_unknown_ids_are_404(client: TestClient) -> None:
    body = assert_problem(client.get("/passages/a-res-80-173:para-999"), 404, "/passages/a-res-80-173:para-999")
    assert "a-res-80-173:para-999" in body["detail"]
    assert_problem(client.get("/documents/no-such-doc"), 404, "/documents/no-such-doc")
    assert_problem(client.get("/documents/no-such-doc/view"), 404, "/documents/no-such-doc/view")
    body = assert_problem(client.get("/search", params={"q": "ITU", "doc": "no-such-document"}), 404, "/search")
    assert "unknown document" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/passages/..%2F..%2Fetc%2Fpasswd",
        "/passages/a-res-80-173:para-1%00",
        "/passages/A-RES:para-1",
        "/passages/a-res-80-173",
        "/documents/a..b",
        "/documents/a_res",
    ],
)
def test_malformed_ids_never_reach_a_lookup(client: TestClient, path: str) -> None:
    response = client.get(path)
    # 422 when the id fails the pattern; 404 when the decoded path no longer matches a route.
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "root:" not in response.text


def test_bad_json_is_400(client: TestClient) -> None:
    response = client.post("/search", content=b'{"q": "ITU",', headers={"content-type": "application/json"})
    body = assert_problem(response, 400, "/search")
    assert "not valid JSON" in body["detail"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"q": "ITU", "k": 0}, "k"),
        ({"q": "ITU", "k": 101}, "between 1 and 100"),
        ({"q": "ITU", "k": "ten"}, "k"),
        ({}, "q"),
        ({"q": "   "}, "no letter or digit"),
        ({"q": "x" * 1001}, "at most 1000"),
        ({"q": "ITU", "type": "novel"}, "type"),
        ({"q": "ITU", "year": "last"}, "year"),
    ],
)
def test_invalid_search_parameters_are_422(client: TestClient, params: dict, fragment: str) -> None:
    body = assert_problem(client.get("/search", params=params), 422, "/search")
    assert fragment in body["detail"]


def test_invalid_bodies_are_422(client: TestClient) -> None:
    body = assert_problem(client.post("/search", json={"q": "ITU", "colour": "blue"}), 422, "/search")
    assert body["errors"][0]["loc"] == ["body", "colour"]
    assert_problem(client.post("/ask", json={"question": "ITU", "k": 1000}), 422, "/ask")
    assert_problem(client.post("/ask", json={"query": "ITU"}), 422, "/ask")
    assert_problem(client.post("/ask", json={"question": "é" * 1001}), 422, "/ask")


def test_oversized_body_is_413_from_content_length(client: TestClient, built_index: Settings) -> None:
    big = b'{"q": "' + b"a" * built_index.max_body_bytes + b'"}'
    body = assert_problem(
        client.post("/search", content=big, headers={"content-type": "application/json"}), 413, "/search"
    )
    assert str(built_index.max_body_bytes) in body["detail"]


def test_oversized_chunked_body_is_413_while_reading(client: TestClient, built_index: Settings) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced as bytes arrive
        yield b'{"question": "'
        for _ in range(built_index.max_body_bytes // 1024 + 1):
            yield b"a" * 1024
        yield b'"}'

    response = client.post("/ask", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_problem(response, 413, "/ask")


def test_unexpected_failure_is_500_problem_without_internals(built_index: Settings, retriever) -> None:
    broken = retriever.with_signals(["bm25"])  # a copy: the session's retriever stays intact

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(create_app(built_index, broken), raise_server_exceptions=False) as client:
        broken.search = fail  # type: ignore[method-assign]  # once served: a request meets it
        body = assert_problem(client.get("/search", params={"q": "ITU"}), 500, "/search")
        assert "secret" not in body["detail"]
        assert client.get("/healthz").status_code == 200  # the app keeps serving
