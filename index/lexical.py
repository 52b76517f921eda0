"""The BM25 signal (bm25s) over the analysed passage texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .analysis import analyse
from .topk import top_k

# Tokens brought in by the termbase weigh less than the user's own words.
EXPANSION_WEIGHT = 0.5


@dataclass(frozen=True)
class Postings:
    """The passages (rows, ascending) that hold one token, and its stored score in each."""

    rows: np.ndarray
    scores: np.ndarray


def bm25_idf(frequency: Any, total: Any) -> Any:
    """BM25's idf of a token held by `frequency` of `total` passages (numbers or arrays)."""
    return np.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def query_weights(tokens: list[str], expansion: list[str]) -> list[tuple[str, float]]:
    """The query's tokens at full weight, then the expansion tokens not among them."""
    weighted = [(t, 1.0) for t in dict.fromkeys(tokens)]
    return weighted + [(t, EXPANSION_WEIGHT) for t in dict.fromkeys(expansion) if t not in set(tokens)]


def rank_within(
    postings: Mapping[str, Postings],
    frequency: Mapping[str, int],
    total: int,
    rows: np.ndarray,
    weighted: list[tuple[str, float]],
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """BM25's top-k within the sorted `rows` as an index of those rows alone would rank
    them: each stored score re-weighted from the idf over all `total` passages (`frequency`:
    a token's passages among them) to its idf over `rows`. Pure, so a shard set gets the
    single index's ranking from its shards' postings."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    n = float(len(rows))
    out = np.zeros(len(rows), dtype=np.float32)
    for token, weight in weighted:
        if token not in postings:
            continue
        held = postings[token]
        df_all, df_local = float(frequency[token]), float(len(held.rows))
        idf_all, idf_local = bm25_idf(df_all, total), bm25_idf(df_local, n)
        np.add.at(out, np.searchsorted(rows, held.rows), weight * held.scores * (idf_local / idf_all))
    best = top_k(out, k)
    best = best[out[best] > 0]
    return rows[best].astype(np.int64), out[best]


class LexicalIndex:
    def __init__(self, bm25: Any) -> None:
        self.bm25 = bm25

    @property
    def size(self) -> int:
        """Documents (passages) indexed."""
        return int(self.bm25.scores["num_docs"])

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25()
        # An empty document still needs one token for bm25s to keep row numbers aligned.
        bm25.index([analyse(t) or ["\u2205"] for t in texts], show_progress=False)
        return cls(bm25)

    def scores(self, tokens: list[str], expansion: list[str]) -> np.ndarray:
        """BM25 score of every passage: the query's tokens plus down-weighted expansions."""
        total = self._scores(tokens)
        extra = [t for t in dict.fromkeys(expansion) if t not in set(tokens)]
        if extra:
            total = total + EXPANSION_WEIGHT * self._scores(extra)
        return total

    def _scores(self, tokens: list[str]) -> np.ndarray:
        ids = self.bm25.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    def search(
        self, tokens: list[str], expansion: list[str], k: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the top-k passages with a positive score (and their scores), best first,
        within `allowed`. Ties go to the lower row, so lists from several shards merge into
        exactly this order (see index/scale/shards.py)."""
        scores = self.scores(tokens, expansion)
        if allowed is not None:
            # Ranked within the allowed rows only: positions in `allowed` follow row order,
            # so ties still go to the lower row.
            scores = scores[allowed]
        best = top_k(scores, k)
        best = best[scores[best] > 0]
        return (best if allowed is None else allowed[best]).astype(np.int64), scores[best]

    def search_within(
        self, tokens: list[str], expansion: list[str], k: int, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Like `search` within the sorted `rows`, with each token's idf worked out over those rows."""
        weighted = query_weights(tokens, expansion)
        terms = [t for t, _ in weighted]
        return rank_within(self.postings(terms, rows), self.document_frequency(terms), self.size, rows, weighted, k)

    def postings(self, tokens: list[str], rows: np.ndarray) -> dict[str, Postings]:
        """Each known token's postings among the sorted `rows`: which of them hold it, and
        the (passage, token) scores stored for them (tokens held by none: absent)."""
        s = self.bm25.scores
        indices, data = s["indices"], s["data"]
        found: dict[str, Postings] = {}
        if not len(rows):
            return found
        # One flag per passage: a common token's postings are tested by lookup, not by a
        # binary search each among the rows.
        wanted = np.zeros(self.size, dtype=bool)
        wanted[rows] = True
        for token in dict.fromkeys(tokens):
            start, end = self._span(token)
            docs = indices[start:end]
            inside = wanted[docs]
            if inside.any():
                found[token] = Postings(docs[inside].astype(np.int64), data[start:end][inside])
        return found

    def rows_with(self, token: str) -> np.ndarray:
        """The rows (passages) whose text holds `token`, increasing (none for a token the
        index does not know)."""
        start, end = self._span(token)
        return np.asarray(self.bm25.scores["indices"][start:end], dtype=np.int64)

    def document_frequency(self, tokens: list[str]) -> dict[str, int]:
        """How many passages contain each token the index knows (unknown tokens: absent)."""
        vocab = self.bm25.vocab_dict
        indptr = self.bm25.scores["indptr"]
        return {t: int(indptr[vocab[t] + 1] - indptr[vocab[t]]) for t in tokens if t in vocab}

    def _span(self, token: str) -> tuple[int, int]:
        """Where `token`'s postings lie in the stored score matrix (empty for a token the
        index does not know)."""
        at = self.bm25.vocab_dict.get(token)
        if at is None:
            return 0, 0
        indptr = self.bm25.scores["indptr"]
        return int(indptr[at]), int(indptr[at + 1])

    def subset(self, rows: np.ndarray) -> LexicalIndex:
        """The index restricted to `rows` (renumbered 0..len-1) with the corpus-wide
        statistics kept: bm25s stores each (passage, token) score already weighted by the
        idf and length normalisation of the whole corpus, so slicing its passage axis
        gives a shard whose scores are bit for bit those of the full index."""
        import copy

        from scipy import sparse

        s = self.bm25.scores
        vocab = len(s["indptr"]) - 1
        matrix = sparse.csc_matrix((s["data"], s["indices"], s["indptr"]), shape=(s["num_docs"], vocab))
        part = matrix[np.asarray(rows, dtype=np.int64), :].tocsc()
        part.sort_indices()
        bm25 = copy.copy(self.bm25)
        bm25.scores = {
            "data": part.data.astype(s["data"].dtype),
            "indices": part.indices.astype(s["indices"].dtype),
            "indptr": part.indptr.astype(s["indptr"].dtype),
            "num_docs": len(rows),
        }
        return LexicalIndex(bm25)

    def save(self, path: Path) -> None:
        self.bm25.save(str(path), show_progress=False)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        import bm25s

        # The score matrix memory-mapped: only the columns of a query's tokens are read.
        return cls(bm25s.BM25.load(str(path), mmap=True, show_progress=False, verbosity=0))
