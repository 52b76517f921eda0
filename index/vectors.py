"""Dense vectors: exact inner product for small corpora, an approximate FAISS index above.

Row i of the stored matrix is passage i. Exact search is a matrix-vector product over that
matrix (memory-mapped from the index directory, so loading costs nothing and the pages are
shared between processes); no second copy is kept in FAISS. Above `exact_max` rows an
approximate index is built beside it, chosen by size:

- up to `HNSW_MAX` rows, HNSW (recall@10 0.97 at 10^5 in the benchmark, under 1.5 ms);
- above, IVF-Flat with about sqrt(n) lists (recall@10 1.00 at 10^6 with 16 lists probed,
  where HNSW with M=32 reaches 0.89; it builds faster and adds little memory).

A filter is a sorted array of allowed rows. A small one (a document, a language of a few
documents) is searched exactly over just those rows: exact, and cheaper than making FAISS
skip everything else. A large one goes to the approximate index with a bitmap selector and
a search widened in proportion to what the filter removes.
"""

from __future__ import annotations

import errno
import functools
import math
from pathlib import Path
from typing import Any

import numpy as np

HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
HNSW_MAX = 300_000
IVF_PROBES = 16
IVF_TRAIN_PER_LIST = 40  # k-means sample: FAISS warns below 39 points per centroid
# Allowed rows up to this many are gathered and scored exactly; beyond, the approximate
# index with a selector is cheaper. Gathering scattered rows is memory-bound (~0.7 us a
# row here: 10,000 rows 6.8 ms, 20,000 rows 14.3 ms); HNSW with a bitmap took ~15 ms at
# 10^5 whatever the filter, IVF with a bitmap 3 ms for 10,000 allowed rows at 10^6.
EXACT_SUBSET_MAX = {"hnsw": 16_384, "ivf": 4_096}
# How far a filtered approximate search is widened at most (efSearch, probes).
WIDEN_MAX = 16


@functools.cache
def one_blas_thread() -> None:
    """numpy's BLAS (the exact matrix-vector products) runs one thread per call, like the
    encoders: on two shared cores two OpenBLAS threads per product spin against the rest
    (a 100,000 x 384 product: 82 ms with two threads, 55 ms with one, same run)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")  # process-wide and kept: not used as a context


def ivf_lists(n: int) -> int:
    """About sqrt(n) lists, a power of two: 1,024 at 10^6."""
    return 2 ** max(6, round(math.log2(math.sqrt(n))))


def build_ann(vectors: np.ndarray) -> Any:
    """The approximate FAISS index for this many rows (see the module docstring)."""
    import faiss

    n, dim = vectors.shape
    index: Any
    if n <= HNSW_MAX:
        index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        nlist = ivf_lists(n)
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, min(n, IVF_TRAIN_PER_LIST * nlist), replace=False)
        index.train(np.ascontiguousarray(vectors[np.sort(sample)]))
        index.nprobe = IVF_PROBES
    for start in range(0, n, 100_000):  # in slices: a memory-mapped matrix stays on disk
        index.add(np.ascontiguousarray(vectors[start : start + 100_000], dtype=np.float32))
    return index


def ann_kind(index: Any) -> str:
    name = type(index).__name__
    return "hnsw" if "HNSW" in name else "ivf" if "IVF" in name else name


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k largest scores, best first (ties by position)."""
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


def _as_range(allowed: np.ndarray) -> slice | None:
    """The allowed rows as one slice when they are contiguous (a document's rows are)."""
    if len(allowed) and int(allowed[-1]) - int(allowed[0]) == len(allowed) - 1:
        return slice(int(allowed[0]), int(allowed[-1]) + 1)
    return None


class VectorIndex:
    def __init__(self, vectors: np.ndarray, ann: Any = None) -> None:
        self.vectors = vectors
        self.ann = ann
        one_blas_thread()

    @property
    def kind(self) -> str:
        return "flat" if self.ann is None else ann_kind(self.ann)

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])

    @classmethod
    def build(cls, vectors: np.ndarray, exact_max: int) -> VectorIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return cls(vectors, None if len(vectors) <= exact_max else build_ann(vectors))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows (and scores) for one query vector, restricted to the sorted `allowed` rows."""
        k = min(k, self.size if allowed is None else len(allowed))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        query = np.ascontiguousarray(query.reshape(-1), dtype=np.float32)
        if allowed is not None and (self.ann is None or len(allowed) <= EXACT_SUBSET_MAX[self.kind]):
            return self._exact_subset(query, k, allowed)
        if self.ann is None:
            scores = self.vectors @ query
            rows = _top_k(scores, k)
            return rows.astype(np.int64), scores[rows]
        return self._approximate(query, k, allowed)

    def _exact_subset(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        span = _as_range(allowed)
        if span is not None:  # a view, no copy
            scores = self.vectors[span] @ query
            best = _top_k(scores, k)
            return (best + span.start).astype(np.int64), scores[best]
        if self.ann is None and len(allowed) > self.size // 4:
            scores = self.vectors @ query  # cheaper than gathering most of the rows
            best = _top_k(scores[allowed], k)
            return allowed[best].astype(np.int64), scores[allowed][best]
        scores = self.vectors[allowed] @ query
        best = _top_k(scores, k)
        return allowed[best].astype(np.int64), scores[best]

    def _approximate(self, query: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        import faiss

        params: Any = None
        if allowed is not None:
            bitmap = np.zeros((self.size + 7) // 8, dtype=np.uint8)
            np.bitwise_or.at(bitmap, allowed >> 3, (1 << (allowed & 7)).astype(np.uint8))
            selector = faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(bitmap))
            # Fewer allowed rows near the query: look wider in proportion.
            widen = min(WIDEN_MAX, max(1, round(self.size / len(allowed))))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                params.efSearch = max(HNSW_EF_SEARCH * widen, k)
            else:
                params = faiss.SearchParametersIVF()
                params.nprobe = min(self.ann.nlist, IVF_PROBES * widen)
            params.sel = selector  # `selector` and `bitmap` stay referenced until the search returns
        scores, ids = self.ann.search(query[None, :], k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def save_ann(self, path: Path) -> None:
        """Write the approximate index (the vectors are stored by the caller, as .npy)."""
        import faiss

        if self.ann is not None:
            try:
                faiss.write_index(self.ann, str(path))
            except RuntimeError as exc:
                # FAISS reports a failed write (disk full, read-only) as a RuntimeError whose
                # last line holds the system's reason: raise it as the OSError it is.
                raise OSError(errno.EIO, str(exc).strip().splitlines()[-1], str(path)) from exc

    @classmethod
    def load(cls, vectors_path: Path, ann_path: Path) -> VectorIndex:
        """The stored vectors memory-mapped, and the approximate index if one was built."""
        vectors = np.load(vectors_path, mmap_mode="r")
        if not ann_path.is_file():
            return cls(vectors)
        import faiss

        return cls(vectors, faiss.read_index(str(ann_path)))
