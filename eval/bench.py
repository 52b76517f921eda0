"""Retrieval benchmark: prints figures (Markdown tables) for BENCHMARKS.md.

    .venv/bin/python -m wsis_rag.eval.bench --part PART [...]   (WSIS_SHARED_DIR: ../shared)

- embed:      query embedding p50/p90 and passages/s per encoder, one and two threads, each
              configuration in a fresh process, all in one run;
- build:      raw passages/s of each encoder vs a full index build with a cold embedding cache,
              then (part load, in a fresh process) index load time, memory, first queries;
- search:     in-process latency p50/p95 over the dev questions, split into query embedding,
              vector search, BM25 and fusion; then the default search under each kind of
              filter, timed after the query embedding;
- http:       GET /search on a real server against the query embedding in the same run;
- startup:    searches in the first seconds after `wsis serve` says ready (answer warm-up on);
- ask:        POST /ask in the first minute after `wsis serve` says ready and after the answer
              warm-up, and the CPU the idle server uses (the default corpus's index);
- collection: the index over the real UN collection (../shared/un-corpus), see bench_collection;
- synthetic:  writes an index of --passages rows (copies of an existing index, vectors
              perturbed) at --index-dir, for the load and search parts at 10^5;
- scale:      synthetic clustered unit vectors (dim 384) at each scale: exact search vs the
              index the size chooses and the alternatives at the largest size (build time,
              memory, latency, recall@10 vs exact), and filtered search at each size.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..core.settings import Settings
from .bench_timing import load_average, machine, percentiles, rss_mb

SHARED = Settings().shared_dir
DEV_SET = Settings().dev_set
CORPUS = SHARED / "corpus"
UN_COLLECTION = SHARED / "un-corpus" / "un-documents-78-80.jsonl.gz"


def dev_queries() -> list[str]:
    return [json.loads(line)["query"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def bench_build(encoders: list[str]) -> None:
    from ..index.builder import build_index, embedding_text
    from ..index.embedders import get_embedder
    from ..ingest.pipeline import ingest_corpus

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

    # Load times in a fresh process: nothing imported, no model in memory.
    subprocess.run(
        [sys.executable, "-m", "wsis_rag.eval.bench", "--part", "load", "--index-dir", str(settings.index_dir)],
        check=True,
    )


def bench_load(index_dir: Path) -> None:
    t = time.perf_counter()
    from ..index.store import load_retriever

    settings = Settings(corpus_dirs=[CORPUS], index_dir=index_dir)
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


def write_synthetic_index(source_dir: Path, index_dir: Path, passages: int) -> None:
    """A sealed index version of about `passages` rows made of copies of the index at
    `source_dir`: copy i of each document gets its own id, symbol suffix and year (2000 +
    i % 26, so that a year filter selects runs of documents), its passages the source's
    texts (BM25 is real) and the source's vectors plus a little noise (so that the
    approximate index does not hold exact duplicates). For load and filtered-search figures
    at 10^5 without embedding 10^5 texts."""
    from ..core.vocabulary import DocumentMeta
    from ..index import store
    from ..index.builder import lexical_text
    from ..index.embedders import normalise
    from ..index.lexical import LexicalIndex
    from ..index.vectors import VectorIndex

    source = store.current_version(source_dir)
    manifest = store.read_manifest(source) or {}
    originals = store.read_passages(source)[:]
    copies = max(1, -(-passages // len(originals)))
    rng = np.random.default_rng(12)
    version = store.new_version_dir(index_dir)
    rows, documents = [], {}
    for i in range(copies):
        for doc_id, record in manifest["documents"].items():
            meta = DocumentMeta.model_validate(record["meta"])
            copy = meta.model_copy(
                update={
                    "id": f"{doc_id}-c{i}",
                    "symbol": f"{meta.symbol}-C{i}",
                    "short": f"{meta.short} C{i}",
                    "aliases": [],
                    "date": f"{2000 + i % 26}-01-01",
                }
            )
            documents[copy.id] = {**record, "meta": copy.model_dump(mode="json")}
        rows += [
            p.model_copy(
                update={
                    "id": f"{p.doc_id}-c{i}:{p.id.split(':', 1)[1]}",
                    "doc_id": f"{p.doc_id}-c{i}",
                    "year": 2000 + i % 26,
                }
            )
            for p in originals
        ]
    store.write_passages(version, rows)
    exact_max = Settings.model_fields["exact_search_max"].default
    for name in manifest["encoders"]:
        base = np.load(source / store.vectors_file(name))
        vectors = normalise(np.tile(base, (copies, 1)) + 0.01 * rng.standard_normal((len(rows), base.shape[1])))
        np.save(version / store.vectors_file(name), vectors)
        VectorIndex.build(vectors, exact_max).save_ann(version / store.faiss_file(name))
    LexicalIndex.build([lexical_text(p) for p in rows]).save(version / store.BM25_DIR)
    store.write_manifest(version, {**manifest, "rows": len(rows), "documents": documents})
    store.publish(index_dir, version)
    print(f"synthetic index of {len(rows):,} passages ({copies} copies of {source}) at {index_dir}")


def bench_search(index_dir: Path | None) -> None:
    from ..index.store import load_retriever

    settings = Settings(corpus_dirs=[CORPUS], **({"index_dir": index_dir} if index_dir else {}))
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
    from ..index.results import Filters

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


def bench_embed_one(name: str, threads: int) -> None:
    """One row of the query-embedding table (run in a fresh process per configuration:
    torch's thread pool is process-wide)."""
    from ..index.embedders import new_embedder

    embedder = new_embedder(name, Settings(encoder_threads=threads))
    queries = dev_queries()
    for q in queries[:3]:  # loads the model, warms its buffers
        embedder.embed_queries([q])
    latencies = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed_queries([q])
        latencies.append((time.perf_counter() - t) * 1000)
    ordered = sorted(latencies)
    texts = [q * 6 for q in queries[:32]]  # passage-sized texts (about 100 words)
    t = time.perf_counter()
    embedder.embed_passages(texts)
    rate = len(texts) / (time.perf_counter() - t)
    print(
        f"| {name} | {embedder.model_id} | {threads} | {statistics.median(ordered):.1f} ms | "
        f"{ordered[int(0.9 * (len(ordered) - 1))]:.1f} ms | {rate:.1f} | {load_average()} |",
        flush=True,
    )


def bench_embed(encoders: list[str], rounds: int) -> None:
    print(f"\n### Query embedding per encoder ({len(dev_queries())} dev queries one at a time, 3 warm-up calls)\n")
    print("| encoder | model | threads | query p50 | query p90 | passages/s (32 x ~100 words) | load |")
    print("|---|---|---|---|---|---|---|")
    for _ in range(rounds):  # interleaved, so that each configuration sees the same load
        for name in encoders:
            for threads in (1, 2):
                subprocess.run(
                    [sys.executable, "-m", "wsis_rag.eval.bench", "--part", "embed-one", "--encoders", name]
                    + ["--threads", str(threads)],
                    check=True,
                )


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


def _exact_top10(data: np.ndarray, queries: np.ndarray, allowed: np.ndarray | None = None) -> list[set[int]]:
    rows = np.arange(len(data)) if allowed is None else allowed
    truth = []
    for q in queries:
        scores = data[rows] @ q if allowed is not None else data @ q
        truth.append(set(rows[np.argsort(-scores)[:10]].tolist()))
    return truth


def _timed(
    search: Callable[[np.ndarray], Any], queries: np.ndarray, truth: list[set[int]]
) -> tuple[float, float, float]:
    """p50 and p95 ms per query, and recall@10 against `truth`."""
    latencies, recalls = [], []
    for q, true in zip(queries, truth, strict=True):
        t = time.perf_counter()
        rows = search(q)
        latencies.append((time.perf_counter() - t) * 1000)
        recalls.append(len(set(np.asarray(rows).tolist()) & true) / 10)
    p50, p95 = percentiles(latencies)
    return p50, p95, float(np.mean(recalls))


def _ann_mb(index: Any) -> float:
    import faiss

    return faiss.serialize_index(index).nbytes / 2**20


def bench_scale(scales: list[int], with_hnsw_at_largest: bool, dim: int = 384) -> None:
    """The index each size gets (VectorIndex.build with the default exact_search_max), and
    at the largest size the alternatives; then filtered search at each size."""
    from ..index import vectors as v

    exact_max = Settings.model_fields["exact_search_max"].default
    rng = np.random.default_rng(7)
    print(f"\n### Vector search at scale, synthetic clustered unit vectors, dim {dim}, k=10 ({load_average()})\n")
    print(
        f"Chosen by size: exact up to {exact_max:,}, HNSW (M={v.HNSW_NEIGHBOURS}, efConstruction="
        f"{v.HNSW_EF_CONSTRUCTION}, efSearch={v.HNSW_EF_SEARCH}) up to {v.HNSW_MAX:,}, then IVF-Flat "
        f"(about sqrt(n) lists, nprobe={v.IVF_PROBES}). Memory: vectors (float32, memory-mapped) + the FAISS index.\n"
    )
    print("| passages | index | build | memory | p50 / query | p95 / query | recall@10 vs exact | queries | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    filtered_rows: list[str] = []
    for n in scales:
        filtered_rows += _bench_one_scale(n, dim, rng, exact_max, with_hnsw_at_largest and n == max(scales))
    if filtered_rows:
        print("\n### Filtered vector search (after embedding: the vector-search step alone)\n")
        print("| passages | index | filter | allowed rows | path | p50 | p95 | recall@10 vs exact filtered |")
        print("|---|---|---|---|---|---|---|---|")
        print("\n".join(filtered_rows))


def _bench_one_scale(n: int, dim: int, rng: np.random.Generator, exact_max: int, with_hnsw: bool) -> list[str]:
    """Print this size's rows of the scale table; return its filtered-search rows."""
    import faiss

    from ..index import vectors as v
    from ..index.vectors import VectorIndex

    data = _clustered_unit_vectors(n, dim, rng)
    vectors_mb = data.nbytes / 2**20
    n_queries = 200 if n <= 100_000 else 50
    queries = data[rng.integers(0, n, n_queries)] + 0.05 * rng.standard_normal((n_queries, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    truth = _exact_top10(data, queries)

    def row(name: str, build_s: float, memory_mb: float, search: Callable[[np.ndarray], Any], count: int) -> None:
        p50, p95, recall = _timed(search, queries[:count], truth[:count])
        print(
            f"| {n:,} | {name} | {build_s:.1f} s | {memory_mb:.0f} MB | {p50:.2f} ms | {p95:.2f} ms | "
            f"{recall:.3f} | {count} | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )

    exact = VectorIndex(data)
    row("exact (numpy over the vectors)", 0.0, vectors_mb, lambda q: exact.search(q, 10)[0], min(n_queries, 20))
    t = time.perf_counter()
    chosen = VectorIndex.build(data, exact_max)
    build_s = time.perf_counter() - t
    if chosen.ann is None:
        return []
    ann_mb = _ann_mb(chosen.ann)
    row(f"**{chosen.kind} (chosen)**", build_s, vectors_mb + ann_mb, lambda q: chosen.search(q, 10)[0], n_queries)
    if chosen.kind == "ivf":
        ivf = chosen.ann
        for probes in (4, 8, 32):
            ivf.nprobe = probes
            row(
                f"ivf nprobe={probes}",
                build_s,
                vectors_mb + ann_mb,
                lambda q: ivf.search(q[None, :], 10)[1][0],
                n_queries,
            )
        ivf.nprobe = v.IVF_PROBES
        t = time.perf_counter()
        sq8 = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dim), dim, ivf.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        sq8.train(data[np.sort(rng.choice(n, v.IVF_TRAIN_PER_LIST * ivf.nlist, replace=False))])
        sq8.add(data)
        sq8.nprobe = v.IVF_PROBES
        row(
            f"ivf-sq8 nprobe={v.IVF_PROBES} (8-bit codes only)",
            time.perf_counter() - t,
            _ann_mb(sq8),
            lambda q: sq8.search(q[None, :], 10)[1][0],
            n_queries,
        )
        del sq8
    if with_hnsw:
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(dim, v.HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = v.HNSW_EF_CONSTRUCTION
        hnsw.add(data)
        hnsw_s = time.perf_counter() - t
        for ef in (128, 256, 512):
            hnsw.hnsw.efSearch = ef
            row(f"hnsw efSearch={ef}", hnsw_s, _ann_mb(hnsw), lambda q: hnsw.search(q[None, :], 10)[1][0], n_queries)
        del hnsw
    return _filtered(n, data, queries[:50], chosen, rng)


def _filtered_rows(index: Any, allowed: np.ndarray, query: np.ndarray) -> np.ndarray:
    rows: np.ndarray = index.search(query, 10, allowed)[0]
    return rows


def _filtered(n: int, data: np.ndarray, queries: np.ndarray, index: Any, rng: np.random.Generator) -> list[str]:
    documents = np.sort(rng.choice(n // 100, 50, replace=False)) * 100  # 50 documents of 100 rows
    cases = {
        "one document (500 contiguous rows)": np.arange(n // 2, n // 2 + 500),
        "50 documents (50 runs of 100 rows)": (documents[:, None] + np.arange(100)).reshape(-1),
        "1 % scattered": np.sort(rng.choice(n, n // 100, replace=False)),
        "10 % scattered": np.sort(rng.choice(n, n // 10, replace=False)),
        "50 % scattered": np.sort(rng.choice(n, n // 2, replace=False)),
    }
    out = []
    for label, allowed in cases.items():
        truth = _exact_top10(data, queries, allowed)
        p50, p95, recall = _timed(functools.partial(_filtered_rows, index, allowed), queries, truth)
        out.append(
            f"| {n:,} | {index.kind} | {label} | {len(allowed):,} | {index.filtered_path(allowed)} | "
            f"{p50:.2f} ms | {p95:.2f} ms | {recall:.3f} |"
        )
    return out


def main() -> None:
    parts = [
        "embed",
        "embed-one",
        "build",
        "load",
        "search",
        "http",
        "startup",
        "ask",
        "collection",
        "products",
        "scale",
        "synthetic",
    ]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=parts, required=True)
    parser.add_argument("--encoders", default="e5,use,minilm", help="encoders for embed, build and collection")
    parser.add_argument("--threads", type=int, default=1, help="threads for embed-one")
    parser.add_argument(
        "--rounds", type=int, default=2, help="interleaved rounds (embed), query rounds (http) or calls (products)"
    )
    parser.add_argument("--index-dir", type=Path, help="index for load, search, http, startup, ask (default: settings)")
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--hnsw-at-largest", action="store_true", help="scale: also build HNSW at the largest size")
    parser.add_argument("--documents", type=int, help="collection: only the first N documents")
    parser.add_argument(
        "--cache-dir", type=Path, help="collection: an empty directory kept as the build's embedding cache"
    )
    parser.add_argument("--passages", type=int, default=100_000, help="synthetic: rows of the index written")
    parser.add_argument("--source-index", type=Path, help="synthetic: the index copied (default: settings)")
    args = parser.parse_args()
    encoders = args.encoders.split(",")
    if args.part == "embed-one":
        bench_embed_one(encoders[0], args.threads)
        return
    print(f"Machine: {machine()}")
    settings = Settings(corpus_dirs=[CORPUS], **({"index_dir": args.index_dir} if args.index_dir else {}))
    if args.part == "embed":
        bench_embed(encoders, args.rounds)
    elif args.part == "build":
        bench_build(encoders)
    elif args.part == "load":
        bench_load(settings.index_dir)
    elif args.part == "search":
        bench_search(settings.index_dir)
    elif args.part == "http":
        from .bench_service import bench_http

        bench_http(settings, dev_queries(), args.rounds)
    elif args.part == "startup":
        from .bench_service import bench_startup

        bench_startup(settings, dev_queries())
    elif args.part == "ask":
        from .bench_service import bench_ask

        # The default corpus (what `./run.sh` serves): the server must find its index current.
        bench_ask(Settings(**({"index_dir": args.index_dir} if args.index_dir else {})), dev_queries())
    elif args.part == "collection":
        from .bench_collection import bench_collection

        with tempfile.TemporaryDirectory() as work:
            bench_collection(UN_COLLECTION, encoders, args.documents, dev_queries(), Path(work), args.cache_dir)
    elif args.part == "products":
        from .bench_products import bench_products

        bench_products(CORPUS, UN_COLLECTION, args.rounds)
    elif args.part == "synthetic":
        if args.index_dir is None:
            parser.error("synthetic needs --index-dir (where the copied index is written)")
        write_synthetic_index(args.source_index or Settings().index_dir, args.index_dir, args.passages)
    else:
        bench_scale([int(s) for s in args.scales.split(",")], args.hnsw_at_largest)


if __name__ == "__main__":
    main()
