"""Retrieval benchmark: prints figures (Markdown tables) for BENCHMARKS.md.

    .venv/bin/python -m wsis_rag.eval.bench [--part build|search|scale|all] [--scales 10000,100000,1000000]

- build:  raw passages/s of each encoder vs a full index build with a cold embedding cache,
          then (part load, in a fresh process) index load time and each signal's first query;
- search: in-process latency p50/p95 over the dev questions, split into query embedding,
          FAISS, BM25 and fusion;
- scale:  synthetic clustered unit vectors (dim 384) at each scale: exact inner product vs
          HNSW (and IVF at the largest scale): build time, memory, latency, recall@10 vs exact.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..core.settings import Settings

IVF_LISTS = 1024
IVF_PROBES = 16


def _shared_corpus() -> Path:
    """Only the shared corpus (not downloads), so that every run measures the same documents."""
    return Settings().shared_dir / "corpus"


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem = (
        int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")))
        // 2**20
    )
    load = os.getloadavg()[0]
    return f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM, Python {platform.python_version()}, load average {load:.1f} at start"


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def bench_build(encoders: list[str]) -> None:
    from ..index.builder import build_index, embedding_text
    from ..index.embedders import get_embedder
    from ..ingest.pipeline import ingest_corpus

    settings = Settings(corpus_dirs=[_shared_corpus()], encoders=encoders, index_dir=Path(tempfile.mkdtemp()) / "index")
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

    # Load times in a fresh process: nothing imported, no model in memory.
    subprocess.run(
        [sys.executable, "-m", "wsis_rag.eval.bench", "--part", "load", "--index-dir", str(settings.index_dir)],
        check=True,
    )


def bench_load(index_dir: Path) -> None:
    t = time.perf_counter()
    from ..index.store import load_retriever

    settings = Settings(corpus_dirs=[_shared_corpus()], index_dir=index_dir)
    retriever = load_retriever(settings)
    first = (time.perf_counter() - t) * 1000
    loads = []
    for _ in range(5):
        t = time.perf_counter()
        load_retriever(settings)
        loads.append((time.perf_counter() - t) * 1000)
    print(
        f"\nIndex load in a fresh process ({len(retriever.passages)} passages; models load lazily): first load "
        f"{first:.0f} ms including imports, then median {statistics.median(loads):.0f} ms over 5 loads"
    )
    for name in retriever.available_signals:
        t = time.perf_counter()
        retriever.with_signals([name]).search("warm-up query")
        print(f"First query with {name} (loads its model): {(time.perf_counter() - t) * 1000:.0f} ms")


def bench_search(index_dir: Path | None) -> None:
    from ..index.store import load_retriever

    settings = Settings(corpus_dirs=[_shared_corpus()], **({"index_dir": index_dir} if index_dir else {}))
    retriever = load_retriever(settings)
    queries = [
        json.loads(line)["query"] for line in settings.dev_set.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    print(f"\n### Search latency in-process ({len(queries)} dev queries, k=10, models warm)\n")
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


def _clustered_unit_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    # Clustered like real embeddings (topics), not uniform on the sphere (where ANN is hardest).
    from ..index.embedders import normalise

    centres = rng.standard_normal((max(16, n // 1000), dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        labels = rng.integers(0, len(centres), stop - start)
        out[start:stop] = centres[labels] + 0.6 * rng.standard_normal((stop - start, dim)).astype(np.float32)
    return normalise(out)


def bench_scale(scales: list[int], dim: int = 384) -> None:
    import faiss

    from ..index.vectors import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_NEIGHBOURS

    rng = np.random.default_rng(7)
    print(f"\n### Exact vs approximate search, synthetic clustered unit vectors, dim {dim}, k=10\n")
    print(
        f"HNSW: M={HNSW_NEIGHBOURS}, efConstruction={HNSW_EF_CONSTRUCTION}, efSearch={HNSW_EF_SEARCH}; "
        f"IVF: nlist={IVF_LISTS} trained on {40 * IVF_LISTS:,} vectors, nprobe={IVF_PROBES}.\n"
    )
    print("| passages | index | build | memory | p50 / query | p95 / query | recall@10 vs exact | queries |")
    print("|---|---|---|---|---|---|---|---|")
    for n in scales:
        data = _clustered_unit_vectors(n, dim, rng)
        n_queries = 200 if n <= 100_000 else 50
        queries = data[rng.integers(0, n, n_queries)] + 0.05 * rng.standard_normal((n_queries, dim)).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        kinds = ["flat", "hnsw"] if n <= 100_000 else ["flat", "ivf", "hnsw"]
        truth: list[np.ndarray] = []  # the exact neighbours: "flat" runs first
        for kind in kinds:
            t = time.perf_counter()
            index: faiss.Index
            if kind == "flat":
                index = faiss.IndexFlatIP(dim)
            elif kind == "hnsw":
                hnsw = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
                hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
                hnsw.hnsw.efSearch = HNSW_EF_SEARCH
                index = hnsw
            else:
                ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, IVF_LISTS, faiss.METRIC_INNER_PRODUCT)
                ivf.train(data[rng.choice(n, min(n, 40 * IVF_LISTS), replace=False)])  # k-means on a sample
                ivf.nprobe = IVF_PROBES
                index = ivf
            index.add(data)
            build_s = time.perf_counter() - t
            memory_mb = faiss.serialize_index(index).nbytes / 2**20
            latencies, found = [], []
            for q in queries:
                t = time.perf_counter()
                _, ids = index.search(q[None, :], 10)
                latencies.append((time.perf_counter() - t) * 1000)
                found.append(ids[0])
            if kind == "flat":
                truth = found
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
            p50, p95 = percentiles(latencies)
            print(
                f"| {n:,} | {kind} | {build_s:.1f} s | {memory_mb:.0f} MB | {p50:.2f} ms | {p95:.2f} ms | {recall:.3f} | {n_queries} |",
                flush=True,
            )
            del index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["build", "load", "search", "scale", "all"], default="all")
    parser.add_argument("--encoders", default="e5,minilm", help="encoders for the build benchmark")
    parser.add_argument("--index-dir", type=Path, help="index for the search benchmark (default: settings)")
    parser.add_argument("--scales", default="10000,100000,1000000")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    if args.part in ("build", "all"):
        bench_build(args.encoders.split(","))
    if args.part == "load":
        bench_load(args.index_dir)
    if args.part in ("search", "all"):
        bench_search(args.index_dir)
    if args.part in ("scale", "all"):
        bench_scale([int(s) for s in args.scales.split(",")])


if __name__ == "__main__":
    main()
