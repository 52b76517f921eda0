"""Every input a 2xx or a 4xx problem, never a 5xx (issue 13), over a real uvicorn server on
127.0.0.1 and the real index: the failures the reliability probe found, one test each."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from docx import Document
from http_server import running_server

from wsis_rag.core.settings import Settings
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.service.app import create_app
from wsis_rag.service.http_protocol import uvicorn_options

pytestmark = pytest.mark.integration

JSON = {"Content-Type": "application/json"}


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/search", b'{"q": "\\ud800"}'),
        ("/ask", b'{"question": "\\udfff WSIS"}'),
        ("/brief", b'{"questions": ["\\udfff WSIS"]}'),
        ("/search", b'{"q": "ITU", "doc": ["\\ud800"]}'),
    ],
)
def test_lone_surrogate_is_422(live_server: str, path: str, raw: bytes) -> None:
    body = _problem(httpx.post(live_server + path, content=raw, headers=JSON, timeout=60), 422)
    assert "lone surrogate" in body["detail"]


@pytest.mark.parametrize("control", ["\u0000", "\u0001", "\u001f"])
def test_control_character_in_a_docx_brief_is_cleaned(live_server: str, control: str) -> None:
    response = httpx.post(
        live_server + "/brief", json={"questions": [f"ITU{control} mandate"], "format": "docx"}, timeout=120
    )
    assert response.status_code == 200, response.text
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "ITU  mandate" in text or "ITU mandate" in text
    assert control not in text


@pytest.mark.parametrize("k", ["+5", "1_0", " 1", "5 ", "0x5", "٥"])
def test_query_string_integers_are_plain_digits(live_server: str, k: str) -> None:
    _problem(httpx.get(live_server + "/search", params={"q": "ITU", "k": k}), 422)


@pytest.mark.parametrize("k", ["5", 5.5, True, "+5"])
def test_json_k_is_a_json_integer(live_server: str, k: object) -> None:
    _problem(httpx.post(live_server + "/search", json={"q": "ITU", "k": k}), 422)


def test_plain_integers_still_work(live_server: str) -> None:
    assert len(httpx.get(live_server + "/search", params={"q": "ITU", "k": "5"}).json()["results"]) == 5
    assert len(httpx.post(live_server + "/search", json={"q": "ITU", "k": 3}).json()["results"]) == 3


@pytest.mark.parametrize("q", ["\u200b", "\ufeff", "\u0000", "\u200b\u200c\u2060", "?!", "___"])
def test_query_without_letter_or_digit_is_422(live_server: str, q: str) -> None:
    body = _problem(httpx.get(live_server + "/search", params={"q": q}), 422)
    assert "no letter or digit" in body["detail"]
    _problem(httpx.post(live_server + "/search", json={"q": q}), 422)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data", None]
)
def test_body_that_is_not_json_is_415(live_server: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for path in ("/search", "/ask", "/brief"):
        body = _problem(httpx.post(live_server + path, content=b'{"q": "ITU"}', headers=headers), 415)
        assert "must be JSON" in body["detail"]


def test_json_variants_are_accepted(live_server: str) -> None:
    for content_type in ("APPLICATION/JSON", "application/json; charset=utf-8", "application/merge-patch+json"):
        response = httpx.post(live_server + "/search", content=b'{"q": "ITU"}', headers={"Content-Type": content_type})
        assert response.status_code == 200, (content_type, response.text)


def test_brief_budget_lowers_k(live_server: str) -> None:
    questions = [f"ITU role in topic {i}" for i in range(20)]
    response = httpx.post(
        live_server + "/brief", json={"questions": questions, "k": 100, "format": "json"}, timeout=300
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-Clauses-Per-Question"] == "5"  # 100 passages / 20 questions


def test_expensive_requests_beyond_the_slots_get_503_with_retry_after(
    built_index: Settings, retriever: HybridRetriever
) -> None:
    app = create_app(built_index.model_copy(update={"heavy_concurrency": 1}), retriever, mcp=False)
    with running_server(app) as url:
        slots = app.state.heavy_slots
        held = slots.hold()
        next(held)  # one expensive request is running
        try:
            response = httpx.post(url + "/ask", json={"question": "What does ITU do?"})
            body = _problem(response, 503)
            assert response.headers["Retry-After"] == str(built_index.heavy_retry_after_s)
            assert body["type"] == "/problems/busy"
            assert httpx.get(url + "/search", params={"q": "ITU"}).status_code == 200  # searches are not held
            # the corpus-wide mandate view may read every clause; one document's does not
            _problem(httpx.get(url + "/mandates", params={"actor": "ITU"}), 503)
            assert httpx.get(url + "/mandates", params={"actor": "ITU", "doc": "gdc"}).status_code == 200
        finally:
            held.close()
        assert httpx.post(url + "/ask", json={"question": "What does ITU do?"}, timeout=120).status_code == 200


def test_options_lists_every_method(live_server: str) -> None:
    response = httpx.request("OPTIONS", live_server + "/search")
    _problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_unknown_actor_is_404(live_server: str) -> None:
    _problem(httpx.get(live_server + "/mandates", params={"actor": "0"}), 404)
    _problem(httpx.get(live_server + "/documents/gdc/mandates", params={"actor": "nobody-here"}), 404)


def test_schema_states_the_limits(live_server: str) -> None:
    schema = httpx.get(live_server + "/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/search"]["get"]["parameters"]}
    assert params["q"]["schema"]["maxLength"] == 1000 and params["q"]["schema"]["minLength"] == 1
    assert params["k"]["schema"]["maximum"] == 100 and params["k"]["schema"]["minimum"] == 1
    brief = schema["components"]["schemas"]["BriefRequest"]["properties"]["questions"]
    assert (brief["minItems"], brief["maxItems"]) == (1, 20)
    actor = next(p for p in schema["paths"]["/mandates"]["get"]["parameters"] if p["name"] == "actor")
    assert actor["required"] is True


def test_readme_example_ids_resolve(live_server: str) -> None:
    from wsis_rag.core.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for passage_id in ("gdc:para-8-b", "a-res-80-173:para-121", "a-res-80-173:preamble-3"):
        assert f"`{passage_id}`" in readme
        assert httpx.get(f"{live_server}/passages/{passage_id}").status_code == 200, passage_id
    assert "gdc:para-33-b" not in readme


# ----- the HTTP server itself (`wsis serve`'s uvicorn options) -----


@pytest.fixture(scope="module")
def guarded_server(built_index: Settings, retriever: HybridRetriever) -> Iterator[tuple[str, int]]:
    settings = built_index.model_copy(update={"header_timeout_s": 1.0, "max_header_bytes": 8192})
    options = uvicorn_options(settings)
    options.pop("log_config")
    with running_server(create_app(settings, retriever, mcp=False), **options) as url:
        yield url, int(url.rsplit(":", 1)[1])


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_oversized_headers_are_a_problem_json_431(guarded_server: tuple[str, int]) -> None:
    url, port = guarded_server
    response = _raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431")
    assert b"content-type: application/problem+json" in head.lower()
    assert b'"status": 431' in body
    assert httpx.get(url + "/healthz").status_code == 200


def test_malformed_request_is_a_problem_json_400(guarded_server: tuple[str, int]) -> None:
    _, port = guarded_server
    response = _raw(port, b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 400") and b"application/problem+json" in response


def test_slow_headers_are_cut_off(guarded_server: tuple[str, int]) -> None:
    _, port = guarded_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        closed_after = None
        for _ in range(20):  # one header line every 0.3 s, never finishing the head
            try:
                sock.sendall(b"X-Slow: 1\r\n")
                if sock.recv(1, socket.MSG_DONTWAIT) == b"":
                    closed_after = time.monotonic() - started
                    break
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - started
                break
            time.sleep(0.3)
    assert closed_after is not None and 0.9 <= closed_after < 3.0, closed_after
