"""Dense vectors: exact inner product for small corpora, an approximate FAISS index above.

Row i of the stored matrix is passage i. Exact search is a matrix-vector product over that
matrix (memory-mapped from the index directory, so loading costs nothing and the pages are
shared between processes); no second copy is kept in FAISS. Above `exact_max` rows an
approximate index is built beside it, chosen by size:

- up to `HNSW_MAX` rows, HNSW (recall@10 0.97 at 10^5 in the benchmark, under 1.5 ms);
- above, IVF-Flat with about sqrt(n) lists (recall@10 1.00 at 10^6 with 16 lists probed,
  where HNSW with M=32 reaches 0.89; it builds faster and adds little memory).

A filter is a sorted array of allowed rows. Rows of a few documents (a few contiguous runs:
`doc=`, and most `type=`/`year=` filters on a small corpus) are scored exactly run by run
on views of the matrix, with no copy; a few scattered rows are gathered and scored exactly;
anything larger goes to the approximate index with a bitmap selector and a wider search
(measured at 10^5: docs/benchmarks/history.md, issue 12 points 3-4).
"""

from __future__ import annotations

import errno
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .topk import top_k

HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
HNSW_EF_PER_RESULT = 4  # efSearch is at least this many times the results asked for
HNSW_MAX = 300_000
IVF_PROBES = 16
IVF_TRAIN_PER_LIST = 40  # k-means sample: FAISS warns below 39 points per centroid
# Scattered allowed rows up to this many (or this share of the index) are gathered and
# scored exactly; beyond, the approximate index with a selector is cheaper. Gathering is
# memory-bound (~1 us a row on these cores: 5,000 rows 5.7 ms CPU at 10^5, load 15), HNSW
# with a bitmap took 1.4-1.9 ms at efSearch 512 whatever the filter from 2 % to 50 %, with
# recall@10 0.995-1.000 (below 2 % its recall falls: 0.87 at 1 %); IVF with a bitmap 3 ms
# for 10,000 allowed rows at 10^6.
EXACT_SUBSET_MAX = {"hnsw": 2_048, "ivf": 4_096}
EXACT_SUBSET_SHARE = {"hnsw": 0.02, "ivf": 0.0}
# Allowed rows in at most this many contiguous runs, and no more rows than this, are scored
# run by run on views of the matrix (no copy), exactly.
RUNS_MAX = 256
RUNS_ROWS_MAX = 16_384
# efSearch of a filtered HNSW search at most (4 x the unfiltered one, see EXACT_SUBSET_MAX).
HNSW_EF_FILTERED = 512
# How far a filtered IVF search is widened at most (probes).
WIDEN_MAX = 16
# Filters whose runs count and FAISS bitmap a VectorIndex keeps (the retriever keeps as
# many allowed-row arrays, one object per filter).
FILTERS_KEPT = 32


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


def _runs(allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each run of consecutive rows in the sorted `allowed`."""
    breaks = np.flatnonzero(np.diff(allowed) != 1) + 1
    starts = allowed[np.concatenate([[0], breaks])]
    ends = allowed[np.concatenate([breaks - 1, [len(allowed) - 1]])] + 1
    return starts, ends


@dataclass
class _FilterFacts:
    """What a search under one filter needs beside its allowed rows, worked out once:
    at 92,510 allowed rows of 10^5 the runs count and the bitmap cost ~0.17 ms per signal
    and query."""

    allowed: np.ndarray  # held, so that its id() is not reused while it is kept
    runs: int
    bitmap: np.ndarray | None = None  # bit i = row i allowed, built when a selector needs it


def mapped_array(path: Path) -> np.ndarray:
    """A stored array memory-mapped read-only, as a plain ndarray over the mapping: a slice
    of an `np.memmap` is a memmap object whose making costs several times a view's, and a
    search slices hundreds of runs of rows and sentences."""
    return np.asarray(np.load(path, mmap_mode="r"))


class VectorIndex:
    def __init__(self, vectors: np.ndarray, ann: Any = None) -> None:
        self.vectors = vectors
        self.ann = ann
        self._filters: dict[int, _FilterFacts] = {}
        one_blas_thread()

    def _facts(self, allowed: np.ndarray) -> _FilterFacts:
        """The facts of `allowed`. Kept by identity for a read-only array (the retriever
        passes the same one for a repeated filter, and nobody can change it in place);
        worked out afresh for any other."""
        facts = self._filters.get(id(allowed))
        if facts is None:
            runs = int(np.count_nonzero(np.diff(allowed) != 1)) + 1 if len(allowed) else 0
            facts = _FilterFacts(allowed, runs)
            if not allowed.flags.writeable:
                if len(self._filters) >= FILTERS_KEPT:
                    self._filters = {}
                self._filters[id(allowed)] = facts
        return facts

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
        if allowed is None:
            if self.ann is not None:
                return self._approximate(query, k, None)
            scores = self.vectors @ query
            rows = top_k(scores, k)
            return rows, scores[rows]
        path = self.filtered_path(allowed)
        if path == "runs":
            starts, ends = _runs(allowed)
            scores = np.concatenate([self.vectors[start:end] @ query for start, end in zip(starts, ends, strict=True)])
        elif path == "full":
            scores = (self.vectors @ query)[allowed]  # cheaper than gathering most of the rows
        elif path == "gather":
            scores = self.vectors[allowed] @ query
        else:
            return self._approximate(query, k, allowed)
        best = top_k(scores, k)
        return allowed[best].astype(np.int64), scores[best]

    def filtered_path(self, allowed: np.ndarray) -> str:
        """How a search restricted to the sorted `allowed` rows runs: exactly over "runs" of
        consecutive rows (views, no copy), over the "full" matrix then picked, over the rows
        "gather"ed, or through the approximate index with a "selector"."""
        runs = self._facts(allowed).runs
        if runs <= RUNS_MAX and (self.ann is None or len(allowed) <= RUNS_ROWS_MAX):
            return "runs"
        if self.ann is None:
            return "full" if len(allowed) > self.size // 4 else "gather"
        if len(allowed) <= max(EXACT_SUBSET_MAX[self.kind], EXACT_SUBSET_SHARE[self.kind] * self.size):
            return "gather"
        return "selector"

    def _approximate(self, query: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        import faiss

        params: Any = None
        # The candidate list of an HNSW search holds 4 x the results asked for: on the real
        # collection's vectors (70,442 passages, held-out queries) efSearch 128 for the 100
        # candidates fusion takes found 0.86 of the exact top 100 (e5; USE 0.85), 256 found
        # 0.93, 512 0.97, at 0.36 / 0.41 / 0.81 ms a query.
        ef = max(HNSW_EF_SEARCH, HNSW_EF_PER_RESULT * k)
        if allowed is None and self.kind == "hnsw":
            params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            params.efSearch = ef
        if allowed is not None:
            facts = self._facts(allowed)
            if facts.bitmap is None:
                mask = np.zeros(self.size, dtype=bool)
                mask[allowed] = True
                facts.bitmap = np.packbits(mask, bitorder="little")  # FAISS reads bit i at byte i >> 3, bit i & 7
            bitmap = facts.bitmap
            selector = faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(bitmap))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                # Fewer allowed rows: a wider search in proportion, as for IVF below, up to
                # HNSW_EF_FILTERED (k=100: 434 at 92 % of the rows allowed, 512 at half).
                widened = round(ef * self.size / len(allowed))
                params.efSearch = max(min(HNSW_EF_FILTERED, widened), ef)
            else:
                params = faiss.SearchParametersIVF()
                # Fewer allowed rows near the query: probe wider in proportion.
                widen = min(WIDEN_MAX, max(1, round(self.size / len(allowed))))
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
        """The stored vectors memory-mapped, and the approximate index if one was built, its
        vector storage memory-mapped too (IO_FLAG_MMAP_IFC: the codes are used in place, not
        read into memory; 0.37 s against 1.87 s for an HNSW index of 10^5 x 384 under load,
        same results). A version's files are never rewritten, so mapping them is safe."""
        vectors = mapped_array(vectors_path)
        if not ann_path.is_file():
            return cls(vectors)
        import faiss

        return cls(vectors, faiss.read_index(str(ann_path), faiss.IO_FLAG_MMAP_IFC))
