"""`fetch_missing` and `wsis corpus fetch` against a real HTTP server on 127.0.0.1 that serves
the shared corpus files, with routes that misbehave the ways real servers do."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wsis_rag.cli.main import app
from wsis_rag.core.errors import FetchError
from wsis_rag.core.settings import Settings, get_settings
from wsis_rag.corpus.fetch import (
    CHECKSUMS_FILE,
    DownloadProgress,
    FetchStatus,
    HostUnreachableError,
    fetch_missing,
)
from wsis_rag.corpus.manifest import Manifest, parse_manifest

# (doc id, file under the shared corpus, name to save in the cache)
DOCUMENTS = [
    ("a-res-80-173", "pdf/A_RES_80_173_en.pdf", "A_RES_80_173_en.pdf"),
    ("gdc", "pdf/A_RES_79_1_annexI_GDC_en.pdf", "A_RES_79_1_annexI_GDC_en.pdf"),
    ("council-report-2026", "ITU_Council_2026_CWG-WSIS-SDG_chair_report_zh.txt", "council_report_zh.txt"),
]


class CorpusServer(ThreadingHTTPServer):
    """Routes: /files/<path> serves a shared corpus file; /flaky/<n>/<path> answers 500 to the
    first n requests for it, then serves it; /cut/<path> announces the full length and closes
    after half the body; /html/<path> answers with an HTML page; anything else is 404."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: CorpusServer

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests[self.path] += 1
            seen = self.server.requests[self.path]
        route, _, rest = self.path.lstrip("/").partition("/")
        if route == "flaky":
            failures, _, rest = rest.partition("/")
            if seen <= int(failures):
                return self._send(500, b"temporarily broken", "text/plain")
        path = self.server.root / rest
        if route not in {"files", "flaky", "cut", "html"} or not path.is_file():
            return self._send(404, b"not found", "text/plain")
        if route == "html":
            return self._send(200, b"<!doctype html><html><body>Document landing page</body></html>", "text/html")
        body = path.read_bytes()
        if route == "cut":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(200, body, "application/octet-stream")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server(shared_corpus: Path) -> Iterator[CorpusServer]:
    httpd = CorpusServer(shared_corpus)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Doc:
    id: str
    file: str
    url: str | None
    sha256: str | None = None


def write_manifest(path: Path, docs: list[Doc]) -> Manifest:
    blocks = []
    for doc in docs:
        fetch = "[]"
        if doc.url is not None:
            pin = f', sha256 = "{doc.sha256}"' if doc.sha256 else ""
            fetch = f'[{{ url = "{doc.url}", file = "{doc.file}"{pin} }}]'
        blocks.append(
            f'[[document]]\nid = "{doc.id}"\nsymbol = "{doc.id.upper()}"\nshort = "{doc.id}"\n'
            f'title = "Test copy of {doc.id}"\nbody = "Test"\ntype = "resolution"\n'
            f'files = ["{doc.file}"]\nshape = "generic"\nfetch = {fetch}\n'
        )
    path.write_text("\n".join(blocks), encoding="utf-8")
    return parse_manifest(path)


def pinned_docs(shared_corpus: Path, base: str, route: str = "files") -> list[Doc]:
    return [
        Doc(doc_id, saved, f"{base}/{route}/{source}", sha256_of(shared_corpus / source))
        for doc_id, source, saved in DOCUMENTS
    ]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    cache = tmp_path / "cache"
    return Settings(cache_dir=cache, corpus_dirs=[cache], fetch_retries=2, fetch_timeout_s=5.0)


def cache_listing(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.cache_dir.iterdir()) if settings.cache_dir.exists() else []


def test_fetch_downloads_verifies_records_and_then_skips(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml", pinned_docs(shared_corpus, server.base))
    events: list[DownloadProgress] = []

    report = fetch_missing(settings, manifest, progress=events.append, backoff_s=0.01)

    assert report.ok and [r.doc_id for r in report.fetched] == [d[0] for d in DOCUMENTS]
    checksums = json.loads((settings.cache_dir / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    for doc_id, source, saved in DOCUMENTS:
        cached = settings.cache_dir / saved
        assert cached.read_bytes() == (shared_corpus / source).read_bytes()
        assert checksums[saved]["sha256"] == sha256_of(shared_corpus / source)
        assert checksums[saved]["size"] == cached.stat().st_size
        last = [e for e in events if e.doc_id == doc_id][-1]
        assert last.received == last.total == cached.stat().st_size
    assert cache_listing(settings) == sorted([CHECKSUMS_FILE, *(d[2] for d in DOCUMENTS)])

    requests_before = sum(server.requests.values())
    again = fetch_missing(settings, manifest, backoff_s=0.01)
    assert [r.status for r in again.results] == [FetchStatus.PRESENT] * len(DOCUMENTS)
    assert sum(server.requests.values()) == requests_before


def test_a_cached_file_that_changed_is_fetched_again(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative cache dir must still be recognised as the cache
    settings = Settings(cache_dir=Path("cache"), corpus_dirs=[], fetch_retries=0)
    manifest = write_manifest(tmp_path / "manifest.toml", pinned_docs(shared_corpus, server.base))
    fetch_missing(settings, manifest, backoff_s=0.01)
    damaged = settings.cache_dir / DOCUMENTS[0][2]
    damaged.write_bytes(damaged.read_bytes()[:1000])

    report = fetch_missing(settings, manifest, backoff_s=0.01)

    assert [r.doc_id for r in report.fetched] == [DOCUMENTS[0][0]]
    assert damaged.read_bytes() == (shared_corpus / DOCUMENTS[0][1]).read_bytes()


def test_document_present_in_another_corpus_dir_is_not_fetched(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    docs = pinned_docs(shared_corpus, server.base)
    manifest = write_manifest(tmp_path / "manifest.toml", docs)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / docs[2].file).write_bytes((shared_corpus / DOCUMENTS[2][1]).read_bytes())

    report = fetch_missing(settings, manifest, extra_dirs=[elsewhere], backoff_s=0.01)

    assert [r.doc_id for r in report.fetched] == [DOCUMENTS[0][0], DOCUMENTS[1][0]]
    assert report.present[0].path == elsewhere / docs[2].file


def test_wrong_sha256_leaves_no_file_and_the_rest_is_fetched(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    docs = pinned_docs(shared_corpus, server.base)
    docs[0].sha256 = "0" * 64
    manifest = write_manifest(tmp_path / "manifest.toml", docs)

    report = fetch_missing(settings, manifest, backoff_s=0.01)

    (failure,) = report.failed
    assert failure.doc_id == docs[0].id and failure.attempts == 1
    assert "sha256 mismatch" in str(failure.reason) and "0" * 64 in str(failure.reason)
    assert [r.doc_id for r in report.fetched] == [docs[1].id, docs[2].id]
    assert docs[0].file not in cache_listing(settings)
    assert not [name for name in cache_listing(settings) if name.endswith(".part")]
    with pytest.raises(FetchError, match="sha256 mismatch"):
        report.raise_for_failures()


def test_server_errors_are_retried_with_backoff(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    doc_id, source, saved = DOCUMENTS[0]
    flaky = Doc(doc_id, saved, f"{server.base}/flaky/2/{source}", sha256_of(shared_corpus / source))
    manifest = write_manifest(tmp_path / "manifest.toml", [flaky])

    report = fetch_missing(settings, manifest, backoff_s=0.01)

    (result,) = report.fetched
    assert result.attempts == 3 and server.requests[f"/flaky/2/{source}"] == 3
    assert (settings.cache_dir / saved).read_bytes() == (shared_corpus / source).read_bytes()


def test_server_errors_beyond_the_retry_budget_fail(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    doc_id, source, saved = DOCUMENTS[0]
    manifest = write_manifest(tmp_path / "manifest.toml", [Doc(doc_id, saved, f"{server.base}/flaky/9/{source}")])

    report = fetch_missing(settings, manifest, backoff_s=0.01)

    (failure,) = report.failed
    assert failure.attempts == settings.fetch_retries + 1 == server.requests[f"/flaky/9/{source}"]
    assert "HTTP 500" in str(failure.reason) and "gave up after 3 attempts" in str(failure.reason)
    assert cache_listing(settings) == []


def test_connection_closed_mid_body_leaves_no_partial_file(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml", pinned_docs(shared_corpus, server.base, route="cut"))

    report = fetch_missing(settings, manifest, backoff_s=0.01)

    assert len(report.failed) == len(DOCUMENTS) and not report.offline
    assert all("connection broken during transfer" in str(r.reason) for r in report.failed)
    assert all(r.attempts == settings.fetch_retries + 1 for r in report.failed)
    assert cache_listing(settings) == []


def test_html_page_under_a_pdf_name_is_rejected(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    doc_id, source, saved = DOCUMENTS[0]
    manifest = write_manifest(tmp_path / "manifest.toml", [Doc(doc_id, saved, f"{server.base}/html/{source}")])

    (failure,) = fetch_missing(settings, manifest, backoff_s=0.01).failed

    assert "expected a .pdf file but received text/html" in str(failure.reason)
    assert cache_listing(settings) == []


def test_http_404_is_final(tmp_path: Path, server: CorpusServer, settings: Settings) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml", [Doc("gone", "gone.pdf", f"{server.base}/files/gone.pdf")])

    (failure,) = fetch_missing(settings, manifest, backoff_s=0.01).failed

    assert failure.attempts == 1 and "HTTP 404" in str(failure.reason)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_host_fails_at_once_with_the_offline_message(
    tmp_path: Path, shared_corpus: Path, settings: Settings
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    docs = [*pinned_docs(shared_corpus, dead), Doc("no-download", "nothing.pdf", None)]
    manifest = write_manifest(tmp_path / "manifest.toml", docs)

    report = fetch_missing(settings, manifest, backoff_s=5.0)

    assert report.offline and not report.ok
    # One try for the host, none for the other documents on it: no retries, no backoff.
    assert [r.attempts for r in report.failed] == [1, 0, 0]
    assert report.no_source[0].reason == "no official download known"
    assert cache_listing(settings) == []
    with pytest.raises(HostUnreachableError) as raised:
        report.raise_for_failures()
    message = str(raised.value)
    assert "cannot reach 127.0.0.1: connection refused" in message
    assert "corpus fetch needs internet; documents present locally are used as they are" in message


def test_unknown_document_in_only_is_a_clear_error(tmp_path: Path, server: CorpusServer, settings: Settings) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml", [Doc("known", "known.pdf", f"{server.base}/files/x.pdf")])
    with pytest.raises(FetchError, match="unknown document 'nope'; known ids: known"):
        fetch_missing(settings, manifest, only=["nope"])
    assert sum(server.requests.values()) == 0


def test_unreadable_checksum_record_is_refused_not_overwritten(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, settings: Settings
) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml", pinned_docs(shared_corpus, server.base))
    settings.cache_dir.mkdir()
    record = settings.cache_dir / CHECKSUMS_FILE
    record.write_text("{not json", encoding="utf-8")

    with pytest.raises(FetchError, match="not a valid checksum record"):
        fetch_missing(settings, manifest)

    assert record.read_text(encoding="utf-8") == "{not json"
    assert sum(server.requests.values()) == 0


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[Settings]:
    monkeypatch.setenv("WSIS_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("WSIS_CORPUS_DIRS", json.dumps([str(settings.cache_dir)]))
    monkeypatch.setenv("WSIS_FETCH_RETRIES", "1")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_cli_fetch_downloads_then_reports_present(
    tmp_path: Path, shared_corpus: Path, server: CorpusServer, cli_env: Settings
) -> None:
    write_manifest(tmp_path / "manifest.toml", pinned_docs(shared_corpus, server.base))
    runner = CliRunner()

    first = runner.invoke(app, ["corpus", "fetch", "--manifest", str(tmp_path / "manifest.toml")])
    assert first.exit_code == 0, first.output
    assert "3 fetched, 0 already present, 0 with no download known, 0 failed" in first.output
    assert (cli_env.cache_dir / DOCUMENTS[0][2]).is_file()

    second = runner.invoke(app, ["corpus", "fetch", "--manifest", str(tmp_path / "manifest.toml")])
    assert second.exit_code == 0, second.output
    assert "0 fetched, 3 already present" in second.output

    as_json = runner.invoke(app, ["corpus", "fetch", "--manifest", str(tmp_path / "manifest.toml"), "--json"])
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [(r["document"], r["result"]) for r in rows] == [(doc[0], "present") for doc in DOCUMENTS]


def test_cli_fetch_offline_exits_non_zero_with_one_clear_message(
    tmp_path: Path, shared_corpus: Path, cli_env: Settings
) -> None:
    write_manifest(tmp_path / "manifest.toml", pinned_docs(shared_corpus, f"http://127.0.0.1:{closed_port()}"))

    result = CliRunner().invoke(app, ["corpus", "fetch", "--manifest", str(tmp_path / "manifest.toml")])

    assert result.exit_code == 1
    assert "0 fetched, 0 already present, 0 with no download known, 3 failed" in result.output
    assert "error: cannot reach 127.0.0.1: connection refused — corpus fetch needs internet" in result.stderr
    assert cache_listing(cli_env) == []


def test_cli_fetch_only_unknown_document_exits_2(tmp_path: Path, server: CorpusServer, cli_env: Settings) -> None:
    write_manifest(tmp_path / "manifest.toml", [Doc("known", "known.pdf", f"{server.base}/files/x.pdf")])

    result = CliRunner().invoke(
        app, ["corpus", "fetch", "--manifest", str(tmp_path / "manifest.toml"), "--only", "nope"]
    )

    assert result.exit_code == 2 and "unknown document 'nope'" in result.output
