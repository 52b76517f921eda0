"""Stage 1: each signal's candidate list for one query within one set of allowed rows.

The dense signals run first (cross-lingual feedback reads their lists before BM25 runs),
unless BM25's expansion is already known (no feedback, the focus round): then it runs
beside them.
A dense signal's vector search runs on a small pool while the next encoder embeds the
query (FAISS and the encoders release the GIL), so on two cores the first search hides
behind the second embedding; the last signal's search runs inline. The pool only hides
work behind an embedding: in a round whose query vectors are known (the focus round) every
search runs inline, as handing work to a thread and waiting for it costs more than the
search within a few documents.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..query import AnalysedQuery
from .rows import Fetch, Fetched, IndexRows, LexicalQuery, StageSearcher

# One pool per process: a forked child has none of its parent's threads, and a pool
# inherited from it would never run what it is given.
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _search_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=3, thread_name_prefix="wsis-signal-search"))
    return _pool[1]


@dataclass(frozen=True)
class SignalLists:
    """What the signals returned for one query within one set of allowed rows."""

    rankings: dict[str, list[int]]  # signal -> rows, best first
    scores: dict[str, list[float]]  # signal -> the rows' scores
    expansion: list[str]  # the BM25 expansion tokens used (termbase, then feedback)
    fetched: Fetched | None = None  # rows fetched whole for a later round (SearchRound.prefetch)

    def ranks(self) -> dict[str, dict[int, int]]:
        """Each signal's rank (from 1) of every row it returned."""
        return {s: {row: r for r, row in enumerate(rows, start=1)} for s, rows in self.rankings.items()}


QueryEmbedder = Callable[[str, str], np.ndarray]  # (signal, text) -> the query's vector
Expansion = Callable[[Mapping[str, list[int]]], list[str]] | list[str]


def query_vector(
    signal: str,
    analysed: AnalysedQuery,
    query_vectors: dict[str, np.ndarray],
    embed: QueryEmbedder,
    clock: dict[str, float],
) -> np.ndarray:
    """The query's vector for `signal`, embedded once per search (a second round reuses it)."""
    vector = query_vectors.get(signal)
    if vector is None:
        t = time.perf_counter()
        vector = query_vectors[signal] = embed(signal, analysed.encoder_texts[signal])
        clock[f"embed:{signal}"] = time.perf_counter() - t
    return vector


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
    for i, signal in enumerate(signals):
        vector = query_vector(signal, analysed, query_vectors, embed, clock)
        if any(later not in query_vectors for later in signals[i + 1 :]):
            pending[signal] = _search_pool().submit(rows.vectors[signal].search, vector, depth, allowed)
        else:
            t = time.perf_counter()
            found[signal] = rows.vectors[signal].search(vector, depth, allowed)
            if signal == signals[-1]:
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


@dataclass(frozen=True)
class SearchRound:
    """One round of the signals: the rows it searches and how BM25's query is made."""

    allowed: np.ndarray | None  # sorted rows every signal may return (None: all)
    expansion: Expansion  # BM25's expansion tokens: a list, or worked out from the dense rankings
    within: bool = False  # BM25 weighs each token by its idf over the allowed rows
    # On an index searched elsewhere: the rows a later round is likely to search within,
    # worked out from the dense rankings (empty before they are known), fetched whole with
    # BM25's stage ...
    prefetch: Callable[[Mapping[str, list[int]]], np.ndarray | None] | None = None
    # ... and what an earlier round fetched so (`SignalLists.fetched`).
    known: Fetched | None = None


def signal_lists(
    rows: IndexRows,
    analysed: AnalysedQuery,
    signals: Sequence[str],
    query_vectors: dict[str, np.ndarray],
    embed: QueryEmbedder,
    depth: int,
    scope: SearchRound,
    clock: dict[str, float],
) -> SignalLists:
    """Every signal's list: the dense ones, and BM25 with the round's expansion. A given
    list lets BM25 run beside the query embeddings instead of after them (with none to
    embed, it runs after the dense searches)."""
    if rows.stages is not None:
        return staged_lists(rows.stages, analysed, signals, query_vectors, embed, depth, scope, clock)
    allowed, expansion, within = scope.allowed, scope.expansion, scope.within
    dense = [signal for signal in signals if signal != "bm25"]
    lexical: Future[tuple[list[int], list[float]]] | None = None
    to_embed = any(signal not in query_vectors for signal in dense)
    if "bm25" in signals and isinstance(expansion, list) and to_embed:
        lexical = _search_pool().submit(lexical_list, rows, analysed, expansion, depth, allowed, clock, within)
    rankings, scores = dense_lists(rows, analysed, dense, query_vectors, embed, depth, allowed, clock)
    if "bm25" not in signals:
        return SignalLists(rankings, scores, [])
    tokens = expansion if isinstance(expansion, list) else expansion(rankings)
    found = (
        lexical.result() if lexical is not None else lexical_list(rows, analysed, tokens, depth, allowed, clock, within)
    )
    rankings["bm25"], scores["bm25"] = found
    return SignalLists(rankings, scores, tokens)


def staged_lists(
    stages: StageSearcher,
    analysed: AnalysedQuery,
    signals: Sequence[str],
    query_vectors: dict[str, np.ndarray],
    embed: QueryEmbedder,
    depth: int,
    scope: SearchRound,
    clock: dict[str, float],
) -> SignalLists:
    """`signal_lists` on an index searched elsewhere: every query embedded first, then one
    request carrying all of them (BM25's too when its expansion is given), and a second
    for BM25 only when its expansion reads the dense lists. The request carrying BM25 also
    fetches the rows of `scope.prefetch`; a round within rows already `known` asks only
    for the rest."""
    dense = [signal for signal in signals if signal != "bm25"]
    vectors = {signal: query_vector(signal, analysed, query_vectors, embed, clock) for signal in dense}
    lexical = "bm25" in signals
    allowed, expansion = scope.allowed, scope.expansion
    given = expansion if isinstance(expansion, list) else None

    def bm25(tokens: list[str]) -> LexicalQuery:
        return LexicalQuery(list(analysed.bm25_tokens), tokens, scope.within and allowed is not None)

    def fetch(rankings: Mapping[str, list[int]]) -> Fetch | None:
        wanted = scope.prefetch(rankings) if scope.prefetch is not None else None
        return Fetch(wanted, vectors) if wanted is not None and len(wanted) else None

    t = time.perf_counter()
    if lexical and given is not None:
        answer = stages.search_stage(vectors, bm25(given), depth, allowed, fetch({}), scope.known)
    else:
        answer = stages.search_stage(vectors, None, depth, allowed, known=scope.known)
    clock["faiss"] = time.perf_counter() - t
    rankings = {signal: answer.dense[signal][0].tolist() for signal in dense}
    scores = {signal: answer.dense[signal][1].tolist() for signal in dense}
    if not lexical:
        return SignalLists(rankings, scores, [])
    tokens = expansion if isinstance(expansion, list) else expansion(rankings)
    if answer.lexical is None:
        t = time.perf_counter()
        answer = stages.search_stage({}, bm25(tokens), depth, allowed, fetch(rankings))
        clock["bm25"] = time.perf_counter() - t
    assert answer.lexical is not None
    rankings["bm25"], scores["bm25"] = answer.lexical[0].tolist(), answer.lexical[1].tolist()
    return SignalLists(rankings, scores, tokens, answer.fetched)
