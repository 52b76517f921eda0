"""Download the corpus documents that are not present locally into the cache directory.

Guarantees: a file appears in the cache only complete and verified (it is written to a
temporary file beside its final name and renamed atomically); a pinned sha256 that does not
match discards the bytes; every downloaded file's digest is recorded in
`<cache>/checksums.json`, so a later run notices a cached file that has changed and fetches
it again. Transient failures (5xx, 429, a connection cut mid-body, a read timeout) are
retried with exponential backoff; failing to reach a host at all (name resolution, refused
or unreachable connection) is final for that host, so an offline machine fails in one try
per host instead of waiting through every retry.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from ..core.digest import file_sha256
from ..core.errors import FetchError
from ..core.settings import Settings
from .manifest import (
    FetchSource,
    Manifest,
    ManifestEntry,
    corpus_search_dirs,
    load_manifest,
)

CHECKSUMS_FILE = "checksums.json"
_CHUNK_BYTES = 64 * 1024
_USER_AGENT = "wsis-rag corpus fetch (+https://www.itu.int/net/wsis/)"
# Content checks by file type: the UN document system answers some symbols with an HTML
# landing page; saving that under a .pdf name would hand ingestion a "broken PDF".
_MAGIC = {".pdf": b"%PDF-"}


class DownloadError(FetchError):
    """One fetch source failed for a reason that retrying will not fix, or retries ran out."""

    def __init__(self, url: str, reason: str, attempts: int) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.attempts = attempts


class HostUnreachableError(DownloadError):
    """The host could not be reached at all: no network, no DNS, nothing listening."""

    def __init__(self, url: str, why: str, attempts: int) -> None:
        self.host = urlsplit(url).hostname or url
        self.why = why
        super().__init__(
            url,
            f"cannot reach {self.host}: {why} — corpus fetch needs internet; "
            "documents present locally are used as they are",
            attempts,
        )


class _TransientError(Exception):
    """Worth another try after a pause (server error, cut connection, read timeout)."""


class FetchStatus(StrEnum):
    FETCHED = "fetched"
    PRESENT = "present"
    NO_SOURCE = "no-source"
    FAILED = "failed"


@dataclass(frozen=True)
class DocumentFetch:
    """What happened to one manifest document."""

    doc_id: str
    status: FetchStatus
    path: Path | None = None
    url: str | None = None
    sha256: str | None = None
    size: int | None = None
    attempts: int = 0
    reason: str | None = None
    error: FetchError | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FetchReport:
    results: list[DocumentFetch]

    def _with(self, status: FetchStatus) -> list[DocumentFetch]:
        return [r for r in self.results if r.status is status]

    @property
    def fetched(self) -> list[DocumentFetch]:
        return self._with(FetchStatus.FETCHED)

    @property
    def present(self) -> list[DocumentFetch]:
        return self._with(FetchStatus.PRESENT)

    @property
    def no_source(self) -> list[DocumentFetch]:
        """Missing documents with no official download known (not an error)."""
        return self._with(FetchStatus.NO_SOURCE)

    @property
    def failed(self) -> list[DocumentFetch]:
        return self._with(FetchStatus.FAILED)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def offline(self) -> bool:
        """True when something failed and every failure was a host that could not be reached."""
        return bool(self.failed) and all(isinstance(r.error, HostUnreachableError) for r in self.failed)

    def raise_for_failures(self) -> None:
        """Raise one FetchError naming every failed document (the first host error, if offline)."""
        if not self.failed:
            return
        if self.offline and self.failed[0].error is not None:
            raise self.failed[0].error
        raise FetchError("; ".join(f"{r.doc_id}: {r.reason}" for r in self.failed))


@dataclass(frozen=True)
class DownloadProgress:
    """Emitted for every chunk received: `received` restarts at 0 when a download is retried."""

    doc_id: str
    url: str
    file: str
    received: int
    total: int | None


ProgressCallback = Callable[[DownloadProgress], None]


class CachedFile(BaseModel):
    url: str
    sha256: str
    size: int
    fetched_at: str


@contextmanager
def _atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """A stream whose bytes become `target` only if the block ends normally: it writes a
    temporary file in the same directory and renames it into place; on any exception
    (including KeyboardInterrupt) the temporary file is removed and `target` is untouched."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    temporary = Path(name)
    stream = os.fdopen(fd, "wb")
    try:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())
        stream.close()
        os.replace(temporary, target)
    finally:
        stream.close()
        temporary.unlink(missing_ok=True)


class ChecksumIndex:
    """`<cache>/checksums.json`: file name -> where it came from and its sha256."""

    def __init__(self, cache_dir: Path) -> None:
        # Resolved, like the corpus search dirs, so that "is this file in the cache" compares equal.
        self.path = cache_dir.resolve() / CHECKSUMS_FILE
        self.files: dict[str, CachedFile] = self._load()

    def _load(self) -> dict[str, CachedFile]:
        if not self.path.is_file():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {name: CachedFile.model_validate(record) for name, record in raw.items()}
        except (ValueError, AttributeError, ValidationError) as exc:
            # Refuse rather than overwrite: the file is the only record of what was verified.
            raise FetchError(f"{self.path}: not a valid checksum record ({exc}); fix or delete it") from exc

    def record(self, name: str, url: str, sha256: str, size: int) -> None:
        self.files[name] = CachedFile(url=url, sha256=sha256, size=size, fetched_at=datetime.now(UTC).isoformat())
        payload = {n: r.model_dump() for n, r in sorted(self.files.items())}
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        with _atomic_file(self.path) as stream:
            stream.write(text.encode("utf-8"))

    def mismatch(self, path: Path) -> str | None:
        """Why a cached file no longer matches its record, or None when it does (or has none)."""
        record = self.files.get(path.name)
        if record is None:
            return None
        actual = file_sha256(path)
        if actual == record.sha256:
            return None
        return f"cached {path.name} changed (sha256 {actual[:12]}…, recorded {record.sha256[:12]}…)"


def _select(manifest: Manifest, only: list[str] | None) -> list[ManifestEntry]:
    if not only:
        return list(manifest.documents)
    selected: list[ManifestEntry] = []
    for name in only:
        entry = manifest.resolve(name)
        if entry is None:
            known = ", ".join(e.id for e in manifest.documents)
            raise FetchError(f"unknown document {name!r}; known ids: {known}")
        if entry not in selected:
            selected.append(entry)
    return selected


def _unreachable_reason(exc: BaseException) -> str:
    """A short human reason from the OS error under an httpx connection failure."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"name resolution failed: {(cause.strerror or str(cause)).lower()}"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__


class _Downloader:
    """Downloads fetch sources with one HTTP client, remembering hosts found unreachable."""

    def __init__(self, settings: Settings, client: httpx.Client, progress: ProgressCallback | None, backoff_s: float):
        self.cache_dir = settings.cache_dir
        self.retries = max(settings.fetch_retries, 0)
        self.client = client
        self.progress = progress
        self.backoff_s = backoff_s
        self.unreachable: dict[str, HostUnreachableError] = {}

    def download(self, doc_id: str, source: FetchSource) -> tuple[Path, str, int, int]:
        """Fetch one source into the cache: (path, sha256, size, attempts). Raises DownloadError."""
        host = urlsplit(source.url).hostname or source.url
        if host in self.unreachable:
            raise HostUnreachableError(source.url, self.unreachable[host].why, attempts=0)
        attempt = 0
        while True:
            attempt += 1
            try:
                digest, size = self._attempt(doc_id, source, attempt)
                return self.cache_dir / source.file, digest, size, attempt
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = HostUnreachableError(source.url, _unreachable_reason(exc), attempt)
                self.unreachable[host] = error
                raise error from exc
            except _TransientError as exc:
                if attempt > self.retries:
                    raise DownloadError(source.url, f"{exc} (gave up after {attempt} attempts)", attempt) from exc
                time.sleep(self.backoff_s * 2 ** (attempt - 1))

    def _attempt(self, doc_id: str, source: FetchSource, attempt: int) -> tuple[str, int]:
        target = self.cache_dir / source.file
        try:
            with self.client.stream("GET", source.url) as response:
                if response.status_code >= 500 or response.status_code == 429:
                    raise _TransientError(f"HTTP {response.status_code} {response.reason_phrase}")
                if response.status_code >= 400:
                    raise DownloadError(source.url, f"HTTP {response.status_code} {response.reason_phrase}", attempt)
                return self._save(doc_id, source, response, target, attempt)
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as exc:
            raise _TransientError(f"timed out ({type(exc).__name__})") from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _TransientError(f"connection broken during transfer ({exc})") from exc

    def _save(
        self, doc_id: str, source: FetchSource, response: httpx.Response, target: Path, attempt: int
    ) -> tuple[str, int]:
        length = response.headers.get("content-length")
        total = int(length) if length and length.isdigit() and "content-encoding" not in response.headers else None
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            with _atomic_file(target) as stream:
                for chunk in response.iter_bytes(_CHUNK_BYTES):
                    stream.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if len(head) < 1024:
                        head += chunk[: 1024 - len(head)]
                    if self.progress is not None:
                        self.progress(DownloadProgress(doc_id, source.url, source.file, size, total))
                self._check(source, digest.hexdigest(), head, response, attempt)
        except OSError as exc:
            raise DownloadError(source.url, f"cannot write {target}: {exc.strerror or exc}", attempt) from exc
        return digest.hexdigest(), size

    @staticmethod
    def _check(source: FetchSource, sha256: str, head: bytes, response: httpx.Response, attempt: int) -> None:
        if source.sha256 is not None and sha256 != source.sha256:
            raise DownloadError(
                source.url, f"sha256 mismatch: expected {source.sha256}, got {sha256}; file discarded", attempt
            )
        magic = _MAGIC.get(Path(source.file).suffix.lower())
        if magic is not None and magic not in head:
            kind = response.headers.get("content-type", "unknown content type")
            raise DownloadError(
                source.url, f"expected a {Path(source.file).suffix} file but received {kind}; file discarded", attempt
            )


def fetch_missing(
    settings: Settings,
    manifest: Manifest | None = None,
    *,
    only: list[str] | None = None,
    progress: ProgressCallback | None = None,
    extra_dirs: list[Path] | None = None,
    backoff_s: float = 1.0,
) -> FetchReport:
    """Download every selected manifest document that no corpus directory holds.

    A document found locally is skipped (unless it is a cached download whose bytes no longer
    match `checksums.json`); one with no fetch source is reported as "no official download
    known"; a document's fetch sources are candidates tried in order until one succeeds.
    Network problems never raise: they are failures in the report (see `FetchReport.offline`
    and `raise_for_failures`). Raises FetchError only for bad input: an unknown id in `only`
    or an unreadable checksum record.
    """
    manifest = manifest or load_manifest()
    entries = _select(manifest, only)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    checksums = ChecksumIndex(settings.cache_dir)
    search_dirs = corpus_search_dirs(settings, extra_dirs or [])
    timeout = httpx.Timeout(settings.fetch_timeout_s, connect=min(settings.fetch_timeout_s, 10.0))
    results: list[DocumentFetch] = []
    with httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": _USER_AGENT}) as client:
        downloader = _Downloader(settings, client, progress, backoff_s)
        for entry in entries:
            results.append(_fetch_entry(entry, search_dirs, checksums, downloader))
    return FetchReport(results)


def _fetch_entry(
    entry: ManifestEntry, search_dirs: list[Path], checksums: ChecksumIndex, downloader: _Downloader
) -> DocumentFetch:
    local = entry.locate(search_dirs)
    stale = checksums.mismatch(local) if local is not None and local.parent == checksums.path.parent else None
    if local is not None and stale is None:
        return DocumentFetch(entry.id, FetchStatus.PRESENT, path=local)
    if not entry.fetch:
        return DocumentFetch(entry.id, FetchStatus.NO_SOURCE, reason=stale or "no official download known")
    error: DownloadError | None = None
    attempts = 0
    for source in entry.fetch:
        try:
            path, digest, size, tries = downloader.download(entry.id, source)
        except DownloadError as exc:
            error = exc
            attempts += exc.attempts
            continue
        checksums.record(source.file, source.url, digest, size)
        return DocumentFetch(
            entry.id,
            FetchStatus.FETCHED,
            path=path,
            url=source.url,
            sha256=digest,
            size=size,
            attempts=attempts + tries,
        )
    assert error is not None  # entry.fetch is not empty, so at least one source failed
    return DocumentFetch(entry.id, FetchStatus.FAILED, url=error.url, attempts=attempts, reason=str(error), error=error)
