"""A running server picks up a newly published index version without a restart, and no
request fails or mixes versions while it does (issue 13); a damaged new version is not
served. Real uvicorn on 127.0.0.1, real builds."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from http_server import running_server

from wsis_rag.core.settings import Settings
from wsis_rag.index.store import versions
from wsis_rag.index.store.builder import build_index
from wsis_rag.service.app import create_app

pytestmark = pytest.mark.integration

GDC = "A_RES_79_1_annexI_Global_Digital_Compact_en.md"
OLD, NEW = "We acknowledge the pivotal role", "We firmly acknowledge the pivotal role"


def _served_version(url: str) -> str:
    return httpx.get(url + "/readyz").json()["index"]["version"]


def test_live_swap_under_concurrent_requests(tmp_path: Path, shared_corpus: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GDC).write_bytes((shared_corpus / GDC).read_bytes())
    settings = Settings(
        index_dir=tmp_path / "index", corpus_dirs=[corpus], encoders=["use"], index_watch_s=0.2, k_default=10
    )
    build_index(settings)
    first = versions.current_version(settings.index_dir).name

    failures: list[str] = []
    seen: list[tuple[float, float, str]] = []  # (start, end, which text) of gdc:para-10
    stop = threading.Event()

    def client(url: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set():
                started = time.monotonic()
                passage = http.get("/passages/gdc:para-10", params={"n": 0})
                search = http.get("/search", params={"q": "universal connectivity", "k": 10})
                if passage.status_code != 200 or search.status_code != 200:
                    failures.append(f"{passage.status_code} {search.status_code}")
                    continue
                text = passage.json()["passage"]["text"]
                which = "new" if NEW in text else "old" if OLD in text else "neither"
                seen.append((started, time.monotonic(), which))
                if len(search.json()["results"]) != 10:
                    failures.append(f"{len(search.json()['results'])} results")
                # Every hit of one response comes from one version: the changed clause, if
                # there, has one text or the other.
                for hit in search.json()["results"]:
                    if hit["id"] == "gdc:para-10" and (OLD in hit["text"]) == (NEW in hit["text"]):
                        failures.append("mixed hit")

    with running_server(create_app(settings, mcp=False)) as url:
        assert _served_version(url) == first
        threads = [threading.Thread(target=client, args=(url,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        gdc = corpus / GDC
        gdc.write_text(gdc.read_text(encoding="utf-8").replace(OLD, NEW, 1), encoding="utf-8")
        build_index(settings)
        published = time.monotonic()
        second = versions.current_version(settings.index_dir).name
        while _served_version(url) != second and time.monotonic() - published < 30:
            time.sleep(0.02)
        latency = time.monotonic() - published
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join()
        print(f"live swap: served {second} {latency * 1000:.0f} ms after publishing; {len(seen)} checked responses")

        assert second != first and _served_version(url) == second
        assert latency < 5.0
        assert not failures, failures[:5]
        whiches = [w for _, _, w in sorted(seen)]
        assert "neither" not in whiches
        assert whiches[0] == "old" and whiches[-1] == "new"
        # Once the new version has answered, no request started after that is answered by
        # the old one (a request that began before may still finish on it: one version each).
        first_new_answer = min(end for _, end, w in seen if w == "new")
        assert not [start for start, _, w in seen if w == "old" and start > first_new_answer]
        # The old version is kept for rollback; the served one is leased.
        assert (versions.versions_dir(settings.index_dir) / first).is_dir()


def test_a_damaged_new_version_is_not_served(tmp_path: Path, shared_corpus: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GDC).write_bytes((shared_corpus / GDC).read_bytes())
    settings = Settings(index_dir=tmp_path / "index", corpus_dirs=[corpus], encoders=["use"], index_watch_s=0.2)
    build_index(settings)
    first = versions.current_version(settings.index_dir).name
    with running_server(create_app(settings, mcp=False)) as url:
        # A version built elsewhere and damaged before it is published here.
        other = settings.model_copy(update={"index_dir": tmp_path / "other" / "index"})
        build_index(other)
        built = versions.current_version(other.index_dir)
        lines = (built / versions.PASSAGES).read_text(encoding="utf-8").splitlines(keepends=True)
        (built / versions.PASSAGES).write_text("".join(lines[:-5]), encoding="utf-8")
        damaged = versions.versions_dir(settings.index_dir) / built.name
        shutil.move(built, damaged)
        versions.publish(settings.index_dir, damaged)
        deadline = time.monotonic() + 10
        ready = httpx.get(url + "/readyz").json()
        while ready.get("swap_error") is None and time.monotonic() < deadline:
            time.sleep(0.1)
            ready = httpx.get(url + "/readyz").json()
        assert ready["index"]["version"] == first
        assert "passages.jsonl" in ready["swap_error"]
        assert httpx.get(url + "/search", params={"q": "connectivity"}).status_code == 200


def test_corrupt_manifest_at_start_is_503_with_the_reason(tmp_path: Path, shared_corpus: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GDC).write_bytes((shared_corpus / GDC).read_bytes())
    settings = Settings(index_dir=tmp_path / "index", corpus_dirs=[corpus], encoders=["use"], index_watch_s=0.2)
    build_index(settings)
    (settings.index_dir / versions.MANIFEST).write_text("{x", encoding="utf-8")
    with running_server(create_app(settings, mcp=False)) as url:
        for path in ("/readyz", "/search?q=connectivity"):
            response = httpx.get(url + path)
            assert response.status_code == 503
            assert "manifest.json is not valid JSON" in response.json()["detail"]
        assert httpx.get(url + "/healthz").status_code == 200
        build_index(settings)  # repaired by the next build, and served without a restart
        deadline = time.monotonic() + 10
        while httpx.get(url + "/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpx.get(url + "/readyz").status_code == 200
