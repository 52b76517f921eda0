"""`wsis index build`: ingest the corpus, embed, write a new index version, swap it in.

Rebuilds are incremental: a document whose content hash is unchanged keeps its stored
vectors, only changed or new documents are embedded, removed documents drop out. A
change of encoders (or of the index format or embedding text recipe) re-embeds all.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import IndexDamagedError, IndexNotReadyError
from ..core.settings import Settings
from ..core.vocabulary import DocumentMeta, Passage
from ..corpus.manifest import file_sha256
from ..ingest.pipeline import ingest_corpus, locate_corpus
from . import store
from .embedders import get_embedder
from .embedding_cache import DEFAULT_CACHE_DIR, CachedPassageEncoder
from .lexical import LexicalIndex
from .vectors import VectorIndex

# Bump when `embedding_text` changes: stored vectors then no longer match the recipe.
TEXT_RECIPE = 1

Progress = Callable[[str], None]

logger = logging.getLogger(__name__)


def embedding_text(passage: Passage, doc: DocumentMeta) -> str:
    """What the dense encoders embed: the document's short name and the clause's heading
    path give a bare paragraph its context ("GDC > Objectives > ..."), then the text."""
    path = " > ".join([doc.short, *passage.heading_path])
    return f"{path}\n{passage.retrieval_text}"


@dataclass
class BuildReport:
    index_dir: Path
    documents: int = 0
    passages: int = 0
    embedded_passages: int = 0
    reused_passages: int = 0
    embedded_documents: list[str] = field(default_factory=list)
    reused_documents: list[str] = field(default_factory=list)
    removed_documents: list[str] = field(default_factory=list)
    full_rebuild_reason: str | None = None
    errors: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: dict[str, float] = field(default_factory=dict)
    encoded_texts: dict[str, int] = field(default_factory=dict)  # per encoder: not found in the cache

    @property
    def passages_per_second(self) -> float:
        return self.passages / self.seconds if self.seconds else 0.0


def encoder_config(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        name: {"model_id": get_embedder(name).model_id, "dim": get_embedder(name).dim} for name in settings.encoders
    }


def index_shape(settings: Settings) -> dict[str, Any]:
    """The settings that shape what is stored: when they change, nothing can be reused."""
    return {
        "format_version": store.FORMAT_VERSION,
        "text_recipe": TEXT_RECIPE,
        "max_passage_tokens": settings.max_passage_tokens,
        "encoders": encoder_config(settings),
    }


def full_rebuild_reason(old: dict[str, Any] | None, settings: Settings) -> str | None:
    if old is None:
        return "no previous index"
    shape = index_shape(settings)
    if old.get("encoders") != shape["encoders"]:
        return f"encoders changed ({_describe(old.get('encoders'))} -> {_describe(shape['encoders'])}): re-embedding every passage"
    for key in ("format_version", "text_recipe", "max_passage_tokens"):
        if old.get(key) != shape[key]:
            return f"{key} changed ({old.get(key)} -> {shape[key]}): re-embedding every passage"
    return None


def _describe(encoders: dict[str, Any] | None) -> str:
    return ", ".join(f"{n}={e['model_id']}" for n, e in (encoders or {}).items()) or "none"


def stale_reasons(settings: Settings) -> list[str]:
    """Why the index on disk does not match the corpus and settings (empty = up to date)."""
    try:
        old = store.read_manifest(settings.index_dir)
    except IndexDamagedError as error:
        return [str(error)]
    reason = full_rebuild_reason(old, settings)
    if reason or old is None:
        return [reason or "no previous index"]
    indexed: dict[str, Any] = old["documents"]
    reasons = []
    present = set()
    located, _ = locate_corpus(settings)
    for entry, path in located:
        present.add(entry.id)
        stored = indexed.get(entry.id)
        if stored is None:
            reasons.append(f"{entry.id}: new document")
        elif stored.get("source") != str(path) or stored.get("content_hash") != file_sha256(path):
            reasons.append(f"{entry.id}: source changed")
    reasons += [f"{doc_id}: removed" for doc_id in indexed if doc_id not in present]
    return reasons


def is_stale(settings: Settings) -> bool:
    return bool(stale_reasons(settings))


def build_index(
    settings: Settings,
    *,
    progress: Progress | None = None,
    force: bool = False,
    embedding_cache: Path = DEFAULT_CACHE_DIR,
) -> BuildReport:
    """Build (or incrementally rebuild) the index and swap it in atomically."""
    say = progress or (lambda message: None)
    started = time.perf_counter()
    index_dir = settings.index_dir
    report = BuildReport(index_dir=index_dir)
    root = store.versions_dir(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time per index
        store.prune_versions(index_dir, settings.index_versions_kept)  # what a crashed build or swap left
        # Nothing of a previous index that fails its checksums is reused.
        old, damage = (None, None) if force else store.reusable_manifest(index_dir)
        report.full_rebuild_reason = (
            "forced" if force else f"previous index damaged: {damage}" if damage else full_rebuild_reason(old, settings)
        )
        reusable = old if report.full_rebuild_reason is None else None
        if report.full_rebuild_reason and old is not None:
            say(f"full rebuild: {report.full_rebuild_reason}")

        say("ingesting the corpus")
        corpus = ingest_corpus(settings)
        report.errors = [f"{e.path}: {e.reason}" for e in corpus.errors]
        report.missing = [str(m) for m in corpus.missing]

        old_passages = store.read_passages(index_dir) if reusable else []
        old_rows: dict[str, list[int]] = {}
        for row, p in enumerate(old_passages):
            old_rows.setdefault(p.doc_id, []).append(row)

        passages: list[Passage] = []
        docs: dict[str, dict[str, Any]] = {}
        # Per document, in passage order: (doc id, old rows to reuse or None, passage count).
        sources: list[tuple[str, list[int] | None, int]] = []
        for doc in corpus.documents:
            meta: DocumentMeta = doc.meta
            record = {
                "meta": meta.model_dump(mode="json"),
                "content_hash": doc.content_hash,
                "source": str(doc.source),
                "passages": len(doc.passages),
            }
            prior = reusable["documents"].get(meta.id) if reusable else None
            same = prior is not None and prior.get("content_hash") == doc.content_hash and meta.id in old_rows
            if same:
                rows = old_rows[meta.id]
                passages += [old_passages[r] for r in rows]
                sources.append((meta.id, rows, len(rows)))
                report.reused_documents.append(meta.id)
            else:
                passages += doc.passages
                sources.append((meta.id, None, len(doc.passages)))
                report.embedded_documents.append(meta.id)
            docs[meta.id] = record
        # A document that failed to ingest this time keeps its previous passages: bad
        # input must not silently shrink the index.
        if reusable:
            for doc_id, prior in reusable["documents"].items():
                if doc_id not in docs and any(prior["source"] in message for message in report.errors):
                    rows = old_rows.get(doc_id, [])
                    passages += [old_passages[r] for r in rows]
                    sources.append((doc_id, rows, len(rows)))
                    docs[doc_id] = prior
                    report.reused_documents.append(doc_id)
                    say(f"{doc_id}: kept the previous version (ingestion failed)")
            report.removed_documents = [d for d in reusable["documents"] if d not in docs]
        if not passages:
            dirs = ", ".join(map(str, settings.corpus_dirs))
            raise IndexNotReadyError(
                f"the corpus in {dirs} produced no passages: nothing to index (see the ingestion errors)"
            )

        version = store.new_version_dir(index_dir)
        try:
            _write_version(settings, version, passages, docs, sources, reusable, report, say, embedding_cache)
        except BaseException:
            # A failed write (disk full, killed) must not leave its debris on the disk.
            shutil.rmtree(version, ignore_errors=True)
            raise
        store.publish(index_dir, version, keep=settings.index_versions_kept)
    report.documents = len(docs)
    report.passages = len(passages)
    report.reused_passages = sum(count for _, rows, count in sources if rows is not None)
    report.embedded_passages = report.passages - report.reused_passages
    report.seconds = time.perf_counter() - started
    say(f"done: {report.passages} passages in {report.seconds:.1f}s")
    logger.info(
        "built index %s: %d documents, %d passages (%d embedded, %d reused) in %.1f s",
        version.name,
        report.documents,
        report.passages,
        report.embedded_passages,
        report.reused_passages,
        report.seconds,
    )
    return report


def _write_version(
    settings: Settings,
    version: Path,
    passages: list[Passage],
    docs: dict[str, dict[str, Any]],
    sources: list[tuple[str, list[int] | None, int]],
    reusable: dict[str, Any] | None,
    report: BuildReport,
    say: Progress,
    embedding_cache: Path,
) -> None:
    """Write every file of a new version directory, the manifest last."""
    index_dir = settings.index_dir
    say(f"writing {len(passages)} passages to {version.name}")
    store.write_passages(version, passages)
    meta_by_id = {doc_id: DocumentMeta.model_validate(r["meta"]) for doc_id, r in docs.items()}
    texts = [embedding_text(p, meta_by_id[p.doc_id]) for p in passages]
    for name in settings.encoders:
        encoder = CachedPassageEncoder(get_embedder(name), embedding_cache)
        old_vectors = store.load_vectors(index_dir, name) if reusable else None
        parts: list[np.ndarray] = []
        start = 0
        embed_seconds = 0.0
        for doc_id, rows, count in sources:
            if rows is not None and old_vectors is not None:
                parts.append(old_vectors[rows])
            else:
                say(f"{name}: embedding {count} passages of {doc_id}")
                t = time.perf_counter()
                vectors, encoded = encoder.embed_passages(texts[start : start + count])
                parts.append(vectors)
                embed_seconds += time.perf_counter() - t
                report.encoded_texts[name] = report.encoded_texts.get(name, 0) + encoded
            start += count
        vectors = np.concatenate(parts).astype(np.float32)
        np.save(version / store.vectors_file(name), vectors)
        VectorIndex.build(vectors, settings.exact_search_max).save(version / store.faiss_file(name))
        report.embed_seconds[name] = embed_seconds
    say("indexing BM25")
    LexicalIndex.build([p.retrieval_text + "\n" + " ".join(p.heading_path) for p in passages]).save(
        version / store.BM25_DIR
    )
    store.write_manifest(
        version,
        {
            **index_shape(settings),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": len(passages),
            "documents": docs,
        },
    )
