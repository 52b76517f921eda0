"""The index over a real collection: ../shared/un-corpus/un-documents-78-80.jsonl.gz
(1,191 UN documents of General Assembly sessions 78-80, about 88,000 clauses).

Each document goes through the project's own collection ingestion (that of `wsis ingest
--collection`), then through `build_index`. Reported in one run: ingest passages/s, each encoder's passages/s in the
build against its raw rate on the same texts, build time, index size on disk and in
memory, load time, and search latency unfiltered and filtered beside the query-embedding
floor.
"""

from __future__ import annotations

import gzip
import resource
import tempfile
import time
from collections import Counter
from itertools import islice
from pathlib import Path

import numpy as np

from ...core.settings import Settings
from ...core.vocabulary import DocType
from ...index.api import Filters
from ...ingest.pipeline import CorpusIngest, ingest_collection
from .build import load_in_fresh_process
from .timing import disk_mb, load_average, percentiles


def ingest_records(path: Path, max_tokens: int, limit: int | None = None) -> CorpusIngest:
    """The collection through the product's own ingestion (`wsis ingest --collection`), so
    the passages, and the texts embedded, are those of the index a user builds; `limit`
    keeps the first N records (a smoke run)."""
    if limit is None:
        return ingest_collection(path, max_tokens=max_tokens)
    with gzip.open(path, "rt", encoding="utf-8") as lines, tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / path.name.removesuffix(".gz")
        prefix.write_text("".join(islice(lines, limit)), encoding="utf-8")
        return ingest_collection(prefix, max_tokens=max_tokens)


def _raw_rate(name: str, texts: list[str], settings: Settings) -> float:
    """Passages/s of the bare encoder on these texts (model loaded first)."""
    from ...index.api import new_embedder

    embedder = new_embedder(name, settings)
    embedder.embed_passages(texts[:2])
    t = time.perf_counter()
    embedder.embed_passages(texts)
    return len(texts) / (time.perf_counter() - t)


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_collection(
    collection: Path,
    encoders: list[str],
    documents: int | None,
    queries: list[str],
    work_dir: Path,
    cache_dir: Path | None = None,
) -> None:
    """`cache_dir`: an empty directory that serves as the cold embedding cache and is kept,
    so that an index over the same texts built afterwards (e.g. the WSIS documents plus this
    collection) reuses the vectors instead of embedding them again; default: a temporary one."""
    from ...index.api import load_retriever
    from ...index.store.builder import build_index, embedding_text

    print(f"\n### Real collection: {collection.name}, encoders {'+'.join(encoders)} ({load_average()})\n")
    settings = Settings(index_dir=work_dir / "index", encoders=encoders, exact_search_max=50_000)
    t = time.perf_counter()
    corpus = ingest_records(collection, settings.max_passage_tokens, documents)
    ingest_s = time.perf_counter() - t
    passages = [p for d in corpus.documents for p in d.passages]
    print(
        f"Ingest: {len(corpus.documents)} documents -> {len(passages):,} passages in {ingest_s:.1f} s = "
        f"**{len(passages) / ingest_s:.0f} passages/s** ({len(corpus.errors)} documents failed)"
    )
    meta_of = {d.meta.id: d.meta for d in corpus.documents}
    picked = np.random.default_rng(0).choice(len(passages), min(128, len(passages)), replace=False)
    sample = [embedding_text(passages[i], meta_of[passages[i].doc_id]) for i in picked]
    raw = {name: _raw_rate(name, sample, settings) for name in encoders}
    with tempfile.TemporaryDirectory() as scratch:
        cold_cache = cache_dir or Path(scratch)
        if any(cold_cache.glob("*")):
            raise SystemExit(f"{cold_cache} is not empty: the build would not start from a cold cache")
        cold = settings.model_copy(update={"embedding_cache_dir": cold_cache})
        built = time.perf_counter()
        # Timed progress lines: a run cut short still shows each encoder's rate so far.
        report = build_index(
            cold,
            corpus=corpus,
            progress=lambda say: print(f"  [{time.perf_counter() - built:7.0f} s] {say}", flush=True),
        )
    rates = report.encoder_rates()
    rest_s = report.seconds - sum(report.embed_seconds.values())
    print(
        f"Build (cold embedding cache, {settings.build_workers} encoding workers of {settings.encoder_threads} "
        f"thread(s), e5 backend {settings.e5_backend}): {report.passages:,} passages in **{report.seconds:.0f} s** "
        f"(embedding {sum(report.embed_seconds.values()):.0f} s, the rest {rest_s:.0f} s); with ingestion "
        f"**{ingest_s + report.seconds:.0f} s** in all; peak resident memory {_peak_rss_mb():,.0f} MB "
        f"({load_average()})\n"
    )
    print(
        "| encoder | raw passages/s (one worker, 128 sampled passages) | passages/s in the build | × raw "
        "| texts encoded | embedding time |"
    )
    print("|---|---|---|---|---|---|")
    for name in encoders:
        rate = rates.get(name, 0.0)
        print(
            f"| {name} | {raw[name]:.1f} | {rate:.1f} | {rate / raw[name]:.2f} | {report.encoded_texts[name]:,} "
            f"| {report.embed_seconds[name]:.0f} s |"
        )
    for key in (k for k in report.embed_seconds if k.startswith("sentences:")):  # the answers' sentence table
        print(
            f"| sentences for answers ({key.removeprefix('sentences:')}) | - | {rates.get(key, 0.0):.1f} | - "
            f"| {report.encoded_texts[key]:,} | {report.embed_seconds[key]:.0f} s |"
        )
    version = settings.index_dir.resolve()
    sizes = ", ".join(f"{f.name} {f.stat().st_size / 2**20:.0f} MB" for f in sorted(version.glob("*")) if f.is_file())
    print(f"\nIndex on disk: {disk_mb(version):.0f} MB ({sizes}; bm25/ {disk_mb(version / 'bm25'):.0f} MB)")
    load_in_fresh_process(settings.index_dir)
    loaded = load_retriever(settings)
    retriever = loaded.with_signals(loaded.available_signals)  # bm25 + every encoder built
    largest = max(corpus.documents, key=lambda d: len(d.passages)).meta.id
    year = Counter(p.year for p in passages if p.year).most_common(1)[0][0]
    cases: list[tuple[str, Filters | None]] = [
        ("unfiltered", None),
        (f"doc={largest}", Filters(doc=[largest])),
        (f"year={year}", Filters(year=[year])),
        ("type=resolution, lang=en", Filters(type=[DocType.RESOLUTION], lang=["en"])),
    ]
    print(
        f"\nSearch ({'+'.join(retriever.signals)}) over {len(retriever.passages):,} passages, "
        f"{len(queries)} dev queries, k=10 ({load_average()}):\n"
    )
    print("| filter | allowed rows | total p50 | total p95 | query embedding p50 | after embedding p50 |")
    print("|---|---|---|---|---|---|")
    retriever.search("warm-up query")
    for label, filters in cases:
        allowed = retriever.allowed_rows(filters)
        totals, embeds = [], []
        for q in queries:
            timings: dict[str, float] = {}
            t = time.perf_counter()
            retriever.search(q, k=10, filters=filters, timings=timings)
            totals.append((time.perf_counter() - t) * 1000)
            embeds.append(sum(v for k, v in timings.items() if k.startswith("embed:")) * 1000)
        p50, p95 = percentiles(totals)
        rest = percentiles([a - b for a, b in zip(totals, embeds, strict=True)])[0]
        rows = len(retriever.passages) if allowed is None else len(allowed)
        print(f"| {label} | {rows:,} | {p50:.1f} ms | {p95:.1f} ms | {percentiles(embeds)[0]:.1f} ms | {rest:.1f} ms |")
