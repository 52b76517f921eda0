"""Build throughput and index load: each encoder's raw passages/s against a full build with
a cold embedding cache, a rebuild with nothing changed, then (in a fresh process) the
index load time, its memory and the first query of each signal."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ...core.settings import Settings
from .inputs import CORPUS
from .timing import load_average, rss_mb


def bench_build(encoders: list[str]) -> None:
    from ...index.encoders.embedders import get_embedder
    from ...index.store.builder import build_index, embedding_text
    from ...ingest.pipeline import ingest_corpus

    settings = Settings(corpus_dirs=[CORPUS], encoders=encoders, index_dir=Path(tempfile.mkdtemp()) / "index")
    docs = ingest_corpus(settings).documents
    sample = [embedding_text(p, d.meta) for d in docs for p in d.passages][:48]
    print("\n### Encoders: raw throughput (48 corpus passages, batch)\n\n| encoder | dim | passages/s |\n|---|---|---|")
    for name in encoders:
        embedder = get_embedder(name)
        embedder.embed_passages(sample[:2])  # load the model first
        t = time.perf_counter()
        embedder.embed_passages(sample)
        print(f"| {name} | {embedder.dim} | {len(sample) / (time.perf_counter() - t):.1f} |")

    with tempfile.TemporaryDirectory() as cold_cache:
        report = build_index(settings.model_copy(update={"embedding_cache_dir": Path(cold_cache)}))
    embed = sum(report.embed_seconds.values())
    print(
        f"\n### Full build, cold embedding cache ({'+'.join(encoders)})\n\n"
        f"{report.passages} passages in {report.seconds:.1f} s = **{report.passages_per_second:.2f} passages/s** "
        f"(encoding {embed:.1f} s: "
        + ", ".join(f"{n} {s:.1f} s" for n, s in report.embed_seconds.items())
        + f"; everything else {report.seconds - embed:.1f} s)"
    )
    report = build_index(settings)
    print(f"Rebuild with nothing changed: {report.seconds:.2f} s (embedded {report.embedded_passages} passages)")

    load_in_fresh_process(settings.index_dir)


def load_in_fresh_process(index_dir: Path) -> None:
    """`bench_load` in a new interpreter: nothing imported, no model in memory."""
    subprocess.run([sys.executable, "-m", "wsis_rag.eval.bench", "load", "--index-dir", str(index_dir)], check=True)


def bench_load(index_dir: Path) -> None:
    t = time.perf_counter()
    from ...index.api import load_retriever

    settings = Settings(index_dir=index_dir)
    before_mb = rss_mb()
    retriever = load_retriever(settings)
    first = (time.perf_counter() - t) * 1000
    loaded_mb = rss_mb() - before_mb
    loads = []
    for _ in range(5):
        t = time.perf_counter()
        load_retriever(settings)
        loads.append((time.perf_counter() - t) * 1000)
    print(
        f"\nIndex load in a fresh process ({len(retriever.passages)} passages; models load lazily): first load "
        f"{first:.0f} ms including imports, then median {statistics.median(loads):.0f} ms over 5 loads; "
        f"resident memory +{loaded_mb:.0f} MB for the first load ({load_average()})"
    )
    for name in retriever.available_signals:
        t = time.perf_counter()
        retriever.with_signals([name]).search("warm-up query")
        print(f"First query with {name} (loads its model): {(time.perf_counter() - t) * 1000:.0f} ms")
