"""The index on disk and how it is swapped in atomically.

`settings.index_dir` is a symbolic link to one complete version directory under
`<index_dir>.versions/`. A build writes a new version beside the current one and then
replaces the link in one `rename`, so readers see either the old index or the new one,
never a half-written one; a crashed build leaves only an orphan directory, removed by the
next build.

A version directory holds:
    manifest.json          format version, build time, encoders (model ids, dims), per-document
                           content hashes and the settings that shaped the index
    passages.jsonl         the passages, one JSON object per line, in corpus order
    columns.npz            their per-row fields (id, document, anchor, language, type, body,
                           year, order, group of near-identical clauses, front matter) as
                           numpy arrays: what loading reads (format 2; the group since
                           format 3; front matter since 2026-12-02, optional)
    vectors-<encoder>.npy  float32 (passages x dim), row i = passage i; memory-mapped by
                           readers (exact search runs on it), reused by rebuilds
    faiss-<encoder>.index  the approximate FAISS index over those vectors, only above
                           `exact_search_max` passages (format 2; format 1 always wrote one)
    bm25/                  the bm25s state
    lineage.json           the references between documents and their version links
                           (`lineage.py`; since lineage version 1, recorded in the manifest:
                           an index without it, or with an older one, is served without
                           lineage and reported stale)
    sentences-<encoder>.npy, sentence-offsets.npy
                           the vectors of every passage's quotable sentences, for answers
                           (`sentences.py`; recorded in the manifest with its recipe: an
                           index without it, or with another recipe, is served without it,
                           answers then embed the sentences they need, and reported stale)

The manifest, written last, also records the sha256 and size of every other file and the
passage count: loading refuses a version whose files or row counts do not match
(`IndexDamagedError`), so damage is an error, never silently different results. Every file
is hashed at every load, the vectors included (exact search reads them directly, memory-
mapped, so a damaged row would otherwise change results without an error): on a thread of
its own, beside the parsing, and the version is returned (served, searched) only after
every file matched. Cheaper checks (sizes only, or sampled pages) would let a flipped byte
through; hashing only at build time would miss damage done after it.

Retention: a build keeps the current version, the newest `keep` - 1 others, and any version
a running server holds a lease on (a shared `flock` on the version directory); it deletes
incomplete versions and `.<index>.link-<pid>` links that a crashed build left behind.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ...core.digest import file_sha256
from ...core.errors import IndexDamagedError, IndexNotReadyError
from ...core.settings import Settings
from ...core.vocabulary import DocumentMeta, Passage
from ..columns import PassageColumns, StoredPassages
from ..lexical import LexicalIndex
from ..lineage import LINEAGE_FILE, LINEAGE_VERSION, LineageTable
from ..retriever import HybridRetriever
from ..sentences import OFFSETS_FILE, SENTENCE_RECIPE, SentenceTable, sentence_file
from ..vectors import VectorIndex, mapped_array

# 2: per-row columns (columns.npz) and memory-mapped vectors; the manifest records every
# file's sha256 and size and the passage count. 3: the columns hold each passage's group of
# near-identical clauses (`group`).
FORMAT_VERSION = 3
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
COLUMNS = "columns.npz"
BM25_DIR = "bm25"
HASH_CHUNK = 1 << 20

logger = logging.getLogger(__name__)


def versions_dir(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".versions")


def vectors_file(name: str) -> str:
    return f"vectors-{name}.npy"


def faiss_file(name: str) -> str:
    return f"faiss-{name}.index"


def new_version_dir(index_dir: Path) -> Path:
    path = versions_dir(index_dir) / f"v{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    path.mkdir(parents=True)
    return path


def write_passages(directory: Path, passages: list[Passage]) -> None:
    with (directory / PASSAGES).open("w", encoding="utf-8") as out:
        for p in passages:
            out.write(p.model_dump_json() + "\n")
    PassageColumns.from_passages(passages).save(directory / COLUMNS)


def read_passages(directory: Path) -> StoredPassages:
    """The passages, parsed as they are used (the file is memory-mapped)."""
    return StoredPassages(directory / PASSAGES)


def file_digests(directory: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file of a version directory but its manifest."""
    digests = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.name.startswith(MANIFEST):
            digests[path.relative_to(directory).as_posix()] = {
                "sha256": file_sha256(path),
                "bytes": path.stat().st_size,
            }
    return digests


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    """Seal a version: its manifest, with the digest of every file written so far.
    Written last: a version directory without a manifest is an incomplete build."""
    sealed = {**manifest, "files": file_digests(directory)}
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(sealed, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(directory / MANIFEST)


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The manifest of the current index, or None when there is no complete index;
    `IndexDamagedError` when it is there but unreadable."""
    path = index_dir / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexDamagedError(f"{path} is not valid JSON ({exc}): rebuild the index with `wsis index build`") from exc
    if not isinstance(manifest, dict):
        raise IndexDamagedError(f"{path} is not a manifest object: rebuild the index with `wsis index build`")
    return manifest


def verify_files(version: Path, manifest: dict[str, Any]) -> None:
    """Raise `IndexDamagedError` naming the first file that is missing or differs from its
    recorded size or sha256 (sizes first: a `stat` finds a truncated file before any hashing)."""
    verify_sizes(version, manifest)
    verify_digests(version, manifest)


def verify_sizes(version: Path, manifest: dict[str, Any]) -> None:
    """The cheap half of `verify_files`: every recorded file is there with its recorded size."""
    files: dict[str, dict[str, Any]] = manifest.get("files") or {}
    if not files:
        raise IndexDamagedError(f"{version / MANIFEST} records no file checksums: rebuild the index")
    for name, expected in files.items():
        path = version / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise IndexDamagedError(f"{path} is missing from the index version: rebuild the index") from None
        if size != expected["bytes"]:
            raise IndexDamagedError(
                f"{path} has {size} bytes, the manifest records {expected['bytes']}: rebuild the index"
            )


def verify_digests(version: Path, manifest: dict[str, Any]) -> float:
    """The other half: every recorded file hashes to its recorded sha256. Returns the seconds
    it took (hashlib releases the GIL, so this runs beside the parsing in `load_version`)."""
    started = time.perf_counter()
    for name, expected in (manifest.get("files") or {}).items():
        path = version / name
        if file_sha256(path) != expected["sha256"]:
            raise IndexDamagedError(f"{path} does not match its recorded sha256 (damaged): rebuild the index")
    return time.perf_counter() - started


def reusable_manifest(index_dir: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The current manifest if every file of its version checks out (what an incremental
    build may reuse), else (None, the reason)."""
    try:
        manifest = read_manifest(index_dir)
        if manifest is not None and manifest.get("format_version") == FORMAT_VERSION:
            verify_files(index_dir.resolve(), manifest)
    except IndexDamagedError as error:
        logger.warning("not reusing the previous index: %s", error)
        return None, str(error)
    return manifest, None


def publish(index_dir: Path, version: Path, keep: int = 2) -> None:
    """Point `index_dir` at `version` atomically, then prune old versions (see `prune_versions`)."""
    if index_dir.is_dir() and not index_dir.is_symlink():
        # A plain directory there (made by hand or by another tool): set it aside, untouched.
        index_dir.rename(index_dir.with_name(f"{index_dir.name}.moved-{time.strftime('%Y%m%dT%H%M%S')}"))
    link = index_dir.with_name(f".{index_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(version.resolve(), target_is_directory=True)
    os.replace(link, index_dir)
    logger.info("published index version %s at %s", version.name, index_dir)
    prune_versions(index_dir, keep)


def prune_versions(index_dir: Path, keep: int) -> None:
    """Delete what a build no longer needs: versions without a manifest (crashed builds),
    `.<index>.link-<pid>` links left by a crash in the middle of a swap, and complete
    versions beyond the current one and the newest `keep` - 1 others, unless a server holds
    a lease on them. Call it only under the build lock."""
    for link in index_dir.parent.glob(f".{index_dir.name}.link-*"):
        if link.is_symlink():
            logger.info("removing %s, left by an interrupted swap", link)
            link.unlink(missing_ok=True)
    root = versions_dir(index_dir)
    if not root.is_dir():
        return
    current = index_dir.resolve() if index_dir.is_symlink() else None
    versions = sorted((c for c in root.iterdir() if c.is_dir()), key=lambda c: c.name, reverse=True)
    kept = 1  # the current one
    for child in versions:
        if child.resolve() == current:
            continue
        complete = (child / MANIFEST).is_file()
        if complete and kept < keep:
            kept += 1
            continue
        if complete and VersionLease.held(child):
            logger.info("keeping %s: a running server still uses it", child.name)
            continue
        logger.info("removing %s version %s", "old" if complete else "incomplete", child.name)
        shutil.rmtree(child, ignore_errors=True)


class VersionLease:
    """A shared `flock` on a version directory, held by a process that serves it, so that
    `prune_versions` leaves it alone. The kernel drops it when the process dies."""

    def __init__(self, version: Path) -> None:
        self.version = version
        self._fd: int | None = os.open(version, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def held(version: Path) -> bool:
        fd = os.open(version, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False


def current_version(index_dir: Path) -> Path:
    """The version directory `index_dir` points at now."""
    return index_dir.resolve()


def load_retriever(settings: Settings) -> HybridRetriever:
    """The retriever over the index in `settings.index_dir` (encoders load on first query),
    after checking its files and row counts."""
    index_dir = settings.index_dir
    version = current_version(index_dir)  # resolved once, so that every file comes from one version
    try:
        return load_version(index_dir, version)
    except (OSError, IndexNotReadyError):
        if current_version(index_dir) == version:
            raise
        # A build swapped in a new version (and deleted ours) while we were reading it.
        return load_version(index_dir, current_version(index_dir))


def load_version(index_dir: Path, version: Path) -> HybridRetriever:
    """The retriever over one version directory, verified (`IndexDamagedError` if not sound)."""
    started = time.perf_counter()
    manifest = read_manifest(version)
    if manifest is None:
        raise IndexNotReadyError(f"no index at {index_dir}: build one with `wsis index build`")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexNotReadyError(
            f"the index at {index_dir} has format {manifest.get('format_version')}, this version reads "
            f"{FORMAT_VERSION}: rebuild it with `wsis index build --force`"
        )
    verify_sizes(version, manifest)
    # The files are hashed on a thread of their own while this one parses them: the version
    # is still returned only once every file matches its sha256 (so nothing damaged is ever
    # searched or served), but loading takes the longer of the two, not their sum.
    # The passages' line scan (numpy, GIL released too) runs on a second thread.
    with ThreadPoolExecutor(2, thread_name_prefix="wsis-index-load") as pool:
        hashing = pool.submit(verify_digests, version, manifest)
        reading = pool.submit(read_passages, version)
        try:
            columns = PassageColumns.load(version / COLUMNS)
            documents = [DocumentMeta.model_validate(d["meta"]) for d in manifest["documents"].values()]
            lexical = LexicalIndex.load(version / BM25_DIR)
            vectors = {
                name: VectorIndex.load(version / vectors_file(name), version / faiss_file(name))
                for name in manifest["encoders"]
            }
            rows = int(manifest["rows"])
            lineage = read_lineage(version, manifest)
            sentences = read_sentences(version, manifest)
            passages = reading.result()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            hashing.result()  # a file that fails its sha256 is the clearer reason
            raise IndexDamagedError(f"the index at {index_dir} is unreadable ({exc}): rebuild it") from exc
        hashing_s = hashing.result()
    counts = {PASSAGES: len(passages), BM25_DIR: lexical.size} | {faiss_file(n): v.size for n, v in vectors.items()}
    if sentences is not None:
        counts[OFFSETS_FILE] = sentences.passages
    wrong = {name: count for name, count in counts.items() if count != rows}
    if wrong:
        found = ", ".join(f"{name} has {count}" for name, count in wrong.items())
        raise IndexDamagedError(f"the index at {version} records {rows} passages but {found}: rebuild it")
    info = {
        "format_version": manifest["format_version"],
        "built_at": manifest["built_at"],
        "version": version.name,
        "index_dir": str(index_dir),
        "encoders": {name: {**enc, "index": vectors[name].kind} for name, enc in manifest["encoders"].items()},
    }
    if columns.size != len(passages):
        raise IndexNotReadyError(f"the index at {index_dir} is inconsistent (columns and passages differ): rebuild it")
    logger.info(
        "loaded index version %s: %d documents, %d passages, encoders %s, in %.0f ms (%.0f ms hashing alongside)",
        version.name,
        len(documents),
        rows,
        ",".join(vectors),
        (time.perf_counter() - started) * 1000,
        hashing_s * 1000,
    )
    return HybridRetriever(
        passages, documents, lexical, vectors, info, columns=columns, lineage=lineage, sentences=sentences
    )


def read_lineage(version: Path, manifest: dict[str, Any]) -> LineageTable | None:
    """The version's lineage table; None when it was built without one or with an older
    one (it is then stale: `builder.stale_reasons` says so, and the next build makes it)."""
    if manifest.get("lineage_version") != LINEAGE_VERSION or LINEAGE_FILE not in (manifest.get("files") or {}):
        return None
    return LineageTable.load(version / LINEAGE_FILE)


def read_sentences(version: Path, manifest: dict[str, Any]) -> SentenceTable | None:
    """The version's sentence table; None when it was built without one or by another
    recipe (it is then stale, and answers embed the sentences they need)."""
    recorded = manifest.get("sentences") or {}
    # A version written when the table held one encoder records it alone: still served
    # (it is stale, and the next build adds the others).
    encoders = recorded.get("encoders") or ([recorded["encoder"]] if recorded.get("encoder") else [])
    files = manifest.get("files") or {}
    if (
        recorded.get("recipe") != SENTENCE_RECIPE
        or not encoders
        or any(sentence_file(e) not in files for e in encoders)
    ):
        return None
    return SentenceTable.load(version, encoders)


def load_vectors(index_dir: Path, name: str) -> np.ndarray:
    return mapped_array(index_dir / vectors_file(name))
