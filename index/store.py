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
                           year, order) as numpy arrays: what loading reads (format 2)
    vectors-<encoder>.npy  float32 (passages x dim), row i = passage i; memory-mapped by
                           readers (exact search runs on it), reused by rebuilds
    faiss-<encoder>.index  the approximate FAISS index over those vectors, only above
                           `exact_search_max` passages (format 2; format 1 always wrote one)
    bm25/                  the bm25s state
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import IndexNotReadyError
from ..core.settings import Settings
from ..core.vocabulary import DocumentMeta, Passage
from .columns import PassageColumns, StoredPassages
from .lexical import LexicalIndex
from .retriever import HybridRetriever
from .vectors import VectorIndex

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
COLUMNS = "columns.npz"
BM25_DIR = "bm25"


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


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    # Written last: a version directory without a manifest is an incomplete build.
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(directory / MANIFEST)


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The manifest of the current index, or None when there is no complete index."""
    path = index_dir / MANIFEST
    if not path.is_file():
        return None
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def publish(index_dir: Path, version: Path) -> None:
    """Point `index_dir` at `version` atomically and delete the versions it replaced."""
    if index_dir.is_dir() and not index_dir.is_symlink():
        # A plain directory there (made by hand or by another tool): set it aside, untouched.
        index_dir.rename(index_dir.with_name(f"{index_dir.name}.moved-{time.strftime('%Y%m%dT%H%M%S')}"))
    link = index_dir.with_name(f".{index_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(version.resolve(), target_is_directory=True)
    os.replace(link, index_dir)
    remove_other_versions(index_dir)


def remove_other_versions(index_dir: Path) -> None:
    """Delete every version directory but the current one (old or crashed builds)."""
    current = index_dir.resolve() if index_dir.is_symlink() else None
    root = versions_dir(index_dir)
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and child.resolve() != current:
            shutil.rmtree(child, ignore_errors=True)


def load_retriever(settings: Settings) -> HybridRetriever:
    """The retriever over the index in `settings.index_dir` (encoders load on first query)."""
    index_dir = settings.index_dir
    version = index_dir.resolve()  # resolved once, so that every file comes from one version
    try:
        return _load_version(index_dir, version)
    except (OSError, IndexNotReadyError):
        if index_dir.resolve() == version:
            raise
        # A build swapped in a new version (and deleted ours) while we were reading it.
        return _load_version(index_dir, index_dir.resolve())


def _load_version(index_dir: Path, version: Path) -> HybridRetriever:
    manifest = read_manifest(version)
    if manifest is None:
        raise IndexNotReadyError(f"no index at {index_dir}: build one with `wsis index build`")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexNotReadyError(
            f"the index at {index_dir} has format {manifest.get('format_version')}, this version reads "
            f"{FORMAT_VERSION}: rebuild it with `wsis index build --force`"
        )
    try:
        passages = read_passages(version)
        columns = PassageColumns.load(version / COLUMNS)
        documents = [DocumentMeta.model_validate(d["meta"]) for d in manifest["documents"].values()]
        lexical = LexicalIndex.load(version / BM25_DIR)
        vectors = {
            name: VectorIndex.load(version / vectors_file(name), version / faiss_file(name))
            for name in manifest["encoders"]
        }
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexNotReadyError(f"the index at {index_dir} is unreadable ({exc}): rebuild it") from exc
    info = {
        "format_version": manifest["format_version"],
        "built_at": manifest["built_at"],
        "index_dir": str(index_dir),
        "encoders": {name: {**enc, "index": vectors[name].kind} for name, enc in manifest["encoders"].items()},
    }
    if columns.size != len(passages):
        raise IndexNotReadyError(f"the index at {index_dir} is inconsistent (columns and passages differ): rebuild it")
    return HybridRetriever(passages, documents, lexical, vectors, info, columns=columns)


def load_vectors(index_dir: Path, name: str) -> np.ndarray:
    return np.load(index_dir / vectors_file(name), mmap_mode="r")
