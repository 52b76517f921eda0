"""Search latency in process: p50/p95 over the dev questions for each signal and the
default, split into query embedding, vector search, BM25 and fusion; then the default
search under each kind of filter, timed after the query embedding."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from ...core.settings import Settings
from .inputs import dev_queries
from .timing import load_average, percentiles


def bench_search(index_dir: Path) -> None:
    from ...index.api import load_retriever

    settings = Settings(index_dir=index_dir)
    retriever = load_retriever(settings)
    queries = dev_queries()
    print(f"\n### Search latency in-process ({len(queries)} dev queries, k=10, models warm; {load_average()})\n")
    print("| configuration | total p50 | total p95 | query embedding p50 | FAISS p50 | BM25 p50 | fusion p50 |")
    print("|---|---|---|---|---|---|---|")
    for signals in (["bm25"], *([s] for s in retriever.available_signals[1:]), retriever.signals):
        system = retriever.with_signals(signals)
        system.search("warm-up query")
        totals: list[float] = []
        stages: dict[str, list[float]] = {"embed": [], "faiss": [], "bm25": [], "fusion": []}
        for q in queries:
            timings: dict[str, float] = {}
            t = time.perf_counter()
            system.search(q, k=10, timings=timings)
            totals.append((time.perf_counter() - t) * 1000)
            stages["embed"].append(sum(v for k, v in timings.items() if k.startswith("embed:")) * 1000)
            for key in ("faiss", "bm25", "fusion"):
                stages[key].append(timings.get(key, 0.0) * 1000)
        p50, p95 = percentiles(totals)
        cells = " | ".join(f"{statistics.median(stages[s]):.2f} ms" for s in ("embed", "faiss", "bm25", "fusion"))
        print(f"| {'+'.join(signals)} | {p50:.1f} ms | {p95:.1f} ms | {cells} |")
    _bench_filtered_search(retriever, queries)


def _bench_filtered_search(retriever: Any, queries: list[str]) -> None:
    """The default search under filters of every shape (one document, a language, a year, a
    type, a body): time after the query embedding (search total minus embedding, per query)."""
    from ...index.api import Filters

    columns = retriever._columns
    years = sorted(y for y in set(columns.year.tolist()) if y >= 0)
    cases = {"none": Filters(), "one document": Filters(doc=[retriever.documents[0].id])}
    for lang in sorted(set(columns.langs.tolist())):
        cases[f"lang={lang}"] = Filters(lang=[lang])
    if years:
        cases[f"year={years[len(years) // 2]}"] = Filters(year=[years[len(years) // 2]])
    for doc_type in sorted({d.type for d in retriever.documents}):
        cases[f"type={doc_type}"] = Filters(type=[doc_type])
    dense = [s for s in retriever.signals if s != "bm25"]
    print(
        f"\n### Filtered search, default signals ({'+'.join(retriever.signals)}), {len(retriever.passages):,} passages "
        f"({len(queries)} dev queries, k=10; {load_average()})\n"
    )
    print("| filter | allowed rows | vector path | total p50 | after embedding p50 | after embedding p95 |")
    print("|---|---|---|---|---|---|")
    for label, filters in cases.items():
        allowed = retriever.allowed_rows(filters)
        path = "-" if allowed is None or not dense else retriever.vectors[dense[0]].filtered_path(allowed)
        totals, after = [], []
        for q in queries:
            timings: dict[str, float] = {}
            t = time.perf_counter()
            retriever.search(q, k=10, filters=filters, timings=timings)
            total = (time.perf_counter() - t) * 1000
            totals.append(total)
            after.append(total - sum(v for k, v in timings.items() if k.startswith("embed:")) * 1000)
        rows = len(retriever.passages) if allowed is None else len(allowed)
        a50, a95 = percentiles(after)
        print(f"| {label} | {rows:,} | {path} | {statistics.median(totals):.1f} ms | {a50:.2f} ms | {a95:.2f} ms |")
