"""Dense vectors in FAISS: exact inner product for small corpora, HNSW above a size limit.

FAISS ids are row numbers into the retriever's passage list. A filter is a set of allowed
rows handed to FAISS as an ID selector, so filtered search ranks exactly the allowed rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


class VectorIndex:
    def __init__(self, index: Any) -> None:
        self.index = index

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self.index).__name__ else "flat"

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, exact_max: int) -> VectorIndex:
        import faiss

        dim = vectors.shape[1]
        index: faiss.Index
        if len(vectors) <= exact_max:
            index = faiss.IndexFlatIP(dim)
        else:
            hnsw = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            hnsw.hnsw.efSearch = HNSW_EF_SEARCH
            index = hnsw
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows (and scores) for one query vector, restricted to `allowed` rows."""
        import faiss

        k = min(k, self.size if allowed is None else len(allowed))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params: faiss.SearchParameters | None = None
        if allowed is not None:
            if self.kind == "hnsw":
                # In faiss but missing from the stub it ships (faiss/__init__.pyi).
                hnsw_params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                hnsw_params.efSearch = max(HNSW_EF_SEARCH, k)
                params = hnsw_params
            else:
                params = faiss.SearchParameters()
            params.sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        import faiss

        return cls(faiss.read_index(str(path)))
