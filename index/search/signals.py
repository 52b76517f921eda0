"""Stage 1: each signal's candidate list for one query within one set of allowed rows.

The dense signals run first (cross-lingual feedback reads their lists before BM25 runs).
A dense signal's vector search runs on a small pool while the next encoder embeds the
query (FAISS and the encoders release the GIL), so on two cores the first search hides
behind the second embedding; the last signal's search runs inline.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..query import AnalysedQuery
from .rows import IndexRows

# One pool per process: a forked child has none of its parent's threads, and a pool
# inherited from it would never run what it is given.
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _vector_search_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="wsis-vector-search"))
    return _pool[1]


@dataclass(frozen=True)
class SignalLists:
    """What the signals returned for one query within one set of allowed rows."""

    rankings: dict[str, list[int]]  # signal -> rows, best first
    scores: dict[str, list[float]]  # signal -> the rows' scores
    expansion: list[str]  # the BM25 expansion tokens used (termbase, then feedback)

    def ranks(self) -> dict[str, dict[int, int]]:
        """Each signal's rank (from 1) of every row it returned."""
        return {s: {row: r for r, row in enumerate(rows, start=1)} for s, rows in self.rankings.items()}


QueryEmbedder = Callable[[str, str], np.ndarray]  # (signal, text) -> the query's vector


def dense_lists(
    rows: IndexRows,
    analysed: AnalysedQuery,
    signals: Sequence[str],
    query_vectors: dict[str, np.ndarray],
    embed: QueryEmbedder,
    depth: int,
    allowed: np.ndarray | None,
    clock: dict[str, float],
) -> tuple[dict[str, list[int]], dict[str, list[float]]]:
    """Each dense signal's rows and scores. Query vectors missing from `query_vectors` are
    embedded and kept there (a second round reuses them)."""
    pending: dict[str, Future[tuple[np.ndarray, np.ndarray]]] = {}
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for signal in signals:
        vector = query_vectors.get(signal)
        if vector is None:
            t = time.perf_counter()
            vector = query_vectors[signal] = embed(signal, analysed.encoder_texts[signal])
            clock[f"embed:{signal}"] = time.perf_counter() - t
        if signal != signals[-1]:
            pending[signal] = _vector_search_pool().submit(rows.vectors[signal].search, vector, depth, allowed)
        else:
            t = time.perf_counter()
            found[signal] = rows.vectors[signal].search(vector, depth, allowed)
            found.update((name, search.result()) for name, search in pending.items())
            clock["faiss"] = time.perf_counter() - t  # the last search, then waiting for the others
    rankings = {signal: found[signal][0].tolist() for signal in signals}
    scores = {signal: found[signal][1].tolist() for signal in signals}
    return rankings, scores


def lexical_list(
    rows: IndexRows,
    analysed: AnalysedQuery,
    expansion: Sequence[str],
    depth: int,
    allowed: np.ndarray | None,
    clock: dict[str, float],
    within: bool = False,
) -> tuple[list[int], list[float]]:
    """BM25's rows and scores for the query's tokens plus `expansion`. `within`: each token
    weighs by its idf over the allowed rows, as an index of those rows alone would."""
    t = time.perf_counter()
    tokens = list(analysed.bm25_tokens)
    if within and allowed is not None:
        found, values = rows.lexical.search_within(tokens, list(expansion), depth, allowed)
    else:
        found, values = rows.lexical.search(tokens, list(expansion), depth, allowed)
    clock["bm25"] = clock.get("bm25", 0.0) + time.perf_counter() - t
    return found.tolist(), values.tolist()


def signal_lists(
    rows: IndexRows,
    analysed: AnalysedQuery,
    signals: Sequence[str],
    query_vectors: dict[str, np.ndarray],
    embed: QueryEmbedder,
    depth: int,
    allowed: np.ndarray | None,
    clock: dict[str, float],
    expansion: Callable[[Mapping[str, list[int]]], list[str]] | list[str],
    within: bool = False,
) -> SignalLists:
    """Every signal's list: the dense ones, then BM25 with `expansion` (a list, or worked
    out from the dense rankings: termbase and cross-lingual feedback)."""
    dense = [signal for signal in signals if signal != "bm25"]
    rankings, scores = dense_lists(rows, analysed, dense, query_vectors, embed, depth, allowed, clock)
    if "bm25" not in signals:
        return SignalLists(rankings, scores, [])
    tokens = expansion if isinstance(expansion, list) else expansion(rankings)
    rankings["bm25"], scores["bm25"] = lexical_list(rows, analysed, tokens, depth, allowed, clock, within)
    return SignalLists(rankings, scores, tokens)
