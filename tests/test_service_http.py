"""The service over real HTTP: uvicorn on 127.0.0.1 (in a thread, and as `wsis serve`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from http_server import free_port

from wsis_rag.core.settings import Settings

WSIS = Path(sys.executable).with_name("wsis")


@pytest.fixture(scope="module")
def base_url(live_server: str) -> str:
    return live_server


def test_search_ask_and_passage_over_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        search = http.get("/search", params={"q": "What does A/RES/80/173 assign to ITU?", "k": 10})
        assert search.status_code == 200 and search.headers["content-type"] == "application/json"
        assert len(search.json()["results"]) == 10
        ask = http.post("/ask", json={"question": "What does A/RES/80/173 assign to ITU?"})
        assert ask.status_code == 200 and ask.json()["found"] is True
        passage = http.get("/passages/a-res-80-173:para-121")
        assert passage.json()["citation"]["label"] == "A/RES/80/173, para. 121"


def test_errors_over_http(base_url: str, built_index: Settings) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        missing = http.get("/passages/gdc:para-999")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        big = http.post(
            "/search", content=b"x" * (built_index.max_body_bytes + 1), headers={"content-type": "application/json"}
        )
        assert big.status_code == 413 and big.json()["status"] == 413
        bad = http.post("/ask", content=b"{", headers={"content-type": "application/json"})
        assert bad.status_code == 400 and bad.json()["title"] == "Bad request"


@contextmanager
def _wsis_serve(env: dict[str, str], args: list[str], log: Path) -> Iterator[httpx.Response]:
    """`wsis serve --no-fetch --port <free port> [args]` as a process; its first /readyz
    answer (the test fails with the log if none comes within two minutes)."""
    port = free_port()
    with log.open("w") as out:
        # --port overrides WSIS_PORT; --no-fetch keeps the test off the network.
        server = subprocess.Popen(
            [str(WSIS), "serve", "--no-fetch", "--port", str(port), *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        ready = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert ready is not None and ready.status_code == 200, log.read_text()
        assert f"http://127.0.0.1:{port}/" in log.read_text()
        yield ready
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_wsis_serve_starts_on_the_configured_port(built_index: Settings, tmp_path: Path) -> None:
    env = {
        "WSIS_INDEX_DIR": str(built_index.index_dir),
        "WSIS_CORPUS_DIRS": json.dumps([str(d) for d in built_index.corpus_dirs]),
        "WSIS_PORT": "1",
    }
    with _wsis_serve(env, [], tmp_path / "serve.log") as ready:
        assert ready.json()["index"]["index_dir"] == str(built_index.index_dir)


def test_wsis_serve_no_build_serves_the_index_as_it_stands(built_index: Settings, tmp_path: Path) -> None:
    # Against an empty corpus the index is out of date (every document gone); --no-build
    # serves it as built and writes no version (a benchmark measures the index it is given).
    versions = sorted(p.name for p in built_index.index_dir.parent.iterdir())
    version = built_index.index_dir.resolve()
    empty = tmp_path / "no-corpus"
    empty.mkdir()
    env = {"WSIS_INDEX_DIR": str(built_index.index_dir), "WSIS_CORPUS_DIRS": json.dumps([str(empty)])}
    with _wsis_serve(env, ["--no-build"], tmp_path / "serve.log") as ready:
        assert ready.json()["index"]["version"] == version.name
        assert "building the index" not in (tmp_path / "serve.log").read_text()
    assert built_index.index_dir.resolve() == version
    assert sorted(p.name for p in built_index.index_dir.parent.iterdir()) == versions
