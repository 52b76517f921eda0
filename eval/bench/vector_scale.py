"""Vector search at scale: synthetic clustered unit vectors at each size, exact search
against the index the size chooses (and at the largest size the alternatives: build time,
memory, latency, recall@10 against exact), then filtered search at each size."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ...core.settings import Settings
from .timing import load_average, percentiles


def _clustered_unit_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    # Clustered like real embeddings (topics), not uniform on the sphere (where ANN is hardest).
    from ...index.encoders.embedders import normalise

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
    from ...index import vectors as v

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

    from ...index import vectors as v
    from ...index.vectors import VectorIndex

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
