"""The products at collection size, in process: the document list and outline, the mandate
view (corpus-wide and for one document), a two-question briefing and comparisons (the
longest documents with themselves, a draft with its resolution, two unrelated texts), over
the WSIS documents and a bulk collection indexed together.

No product here reads a vector but the briefing's searches, so the index is built in
memory with BM25 alone (`build_retriever` without encoders): the figures are the
products' own work. Each call is timed over rounds (wall p50/p95, and CPU per call); the
corpus-wide mandate view is timed cold (its first call on an index) and then warm.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ...core.settings import Settings
from ...index.api import HybridRetriever, build_retriever
from ...ingest.pipeline import ingest_corpus
from ...products.briefs.briefing import build_brief
from ...products.compare.comparison import compare_documents
from ...products.documents.catalog import document_detail, list_documents
from ...products.mandates.mandates import index_mandates
from .timing import load_average, percentiles

# The longest documents of the collection (the Cybercrime Convention, the Pact for the Future)
# with themselves, a draft with its resolution, and two unrelated texts.
COMPARED = [
    ("A/RES/79/243", "A/RES/79/243"),
    ("A/RES/79/1", "A/RES/79/1"),
    ("A/C.2/80/L.10", "A/RES/80/120"),
    ("A/RES/79/1", "A/RES/79/243"),
]
BRIEF_QUESTIONS = ["What does A/RES/80/173 assign to ITU?", "What do the resolutions say about submarine cables?"]


def _timed(call: Callable[[], Any], rounds: int) -> tuple[float, float, float]:
    """Wall p50 and p95 and mean CPU, in ms, of `rounds` calls."""
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    p50, p95 = percentiles(walls)
    return p50, p95, sum(cpus) / len(cpus)


def _compared_json(retriever: HybridRetriever, a: str, b: str) -> str:
    return compare_documents(retriever, a, b).model_dump_json()


def bench_products(corpus_dir: Path, collection: Path, rounds: int) -> None:
    settings = Settings(corpus_dirs=[corpus_dir], collections=[collection])
    started = time.perf_counter()
    corpus = ingest_corpus(settings)
    passages = [p for doc in corpus.documents for p in doc.passages]
    retriever = build_retriever(passages, [doc.meta for doc in corpus.documents], {})
    print(
        f"{len(corpus.documents):,} documents, {len(passages):,} passages, "
        f"ingested and indexed (BM25) in {time.perf_counter() - started:.0f} s; {load_average()}"
    )
    print("| call | p50 ms | p95 ms | CPU ms per call |")
    print("|---|---|---|---|")

    def row(name: str, call: Callable[[], Any], n: int = rounds) -> None:
        p50, p95, cpu = _timed(call, n)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {cpu:.1f} |", flush=True)

    row("list_documents (GET /documents)", lambda: list_documents(retriever))
    row("document_detail a-res-80-173 (GET /documents/{id})", lambda: document_detail(retriever, "a-res-80-173"))
    row("index_mandates ITU, doc A/RES/80/173", lambda: index_mandates(retriever, "ITU", doc="A/RES/80/173"))
    row("index_mandates ITU, whole index, first call", lambda: index_mandates(retriever, "ITU"), 1)
    row("index_mandates ITU, whole index, later calls", lambda: index_mandates(retriever, "ITU"))
    row("build_brief, two questions (BM25 searches)", lambda: build_brief(retriever, BRIEF_QUESTIONS, k=5))
    # With the JSON the HTTP layer sends (a self-comparison of the Convention is about 400 kB).
    for a, b in COMPARED:
        row(f"compare_documents {a} {b}, as JSON (GET /compare)", partial(_compared_json, retriever, a, b))
    print(load_average())
