"""Stage 5: the focus round (docs/decisions/focus-round.md).

Every signal searches again within the documents the first round found the question is
about, so that their clauses are ranked among themselves, as on an index of those documents
alone; each of their clauses keeps the better of its two scores.

Then the named round: when the focus holds more than the documents the question names (by
symbol, alias or title), the signals search once more within those alone. A focus that
holds a long document recalling the named one ("Recalls its resolution 79/318 of 18 July
2025 on the UN80 Initiative", in each section of a budget resolution) ranks the named
resolution's own clauses behind that document's; ranked among themselves they are not. Their
scores there, times a weight below one, lift a named document's best clauses onto the first
page without setting them above what the rounds before found best."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..query import AnalysedQuery
from .rows import IndexRows
from .signals import SignalLists


@dataclass(frozen=True)
class FocusConfig:
    documents: int = 0  # the first round's first documents searched again (0 = off)
    per_signal: int = 0  # and the documents of each signal's first rows
    idf: bool = True  # BM25 weighs tokens by their idf over the focus's rows
    # On a shard set: at most this many rows of the likely focus documents fetched with the
    # first round's BM25 stage (0: none; see `likely_focus_rows`).
    prefetch_rows: int = 0


def focus_rows(
    rows: IndexRows,
    analysed: AnalysedQuery,
    fused: Mapping[int, float],
    lists: SignalLists,
    allowed: np.ndarray | None,
    documents: int,
    config: FocusConfig,
    titled: Sequence[str] = (),
) -> np.ndarray | None:
    """The allowed rows of the documents the first round found the query is about: the
    first `config.documents` documents of its fused ranking, those of each signal's top
    `config.per_signal` rows (a clause one signal is sure of gets its document looked at),
    and those the query names. None when off, when the index holds no more than that many
    `documents`, or when they are all the rows the search may return. `titled`: documents
    whose title the question uses (titles.py), looked at as the named ones are."""
    wanted = config.documents
    if wanted <= 0 or documents <= wanted:
        return None
    docs = dict.fromkeys([*analysed.named_documents, *titled])
    given = len(docs)
    for row, _ in sorted(fused.items(), key=lambda item: (-item[1], item[0])):
        if len(docs) >= wanted + given:
            break
        docs.setdefault(rows.doc_of_row[row])
    for rows_of_signal in lists.rankings.values():
        for row in rows_of_signal[: config.per_signal]:
            docs.setdefault(rows.doc_of_row[row])
    # Not through the filters' cache: each question has its own focus, and would evict
    # the filters users repeat.
    focus = rows.columns.allowed(doc_ids=docs)
    if allowed is not None:
        focus = np.intersect1d(focus, allowed, assume_unique=True)
    everything = rows.size if allowed is None else len(allowed)
    return focus if len(focus) < everything else None  # a second round would change nothing


def named_rows(rows: IndexRows, doc_ids: Sequence[str], focus: np.ndarray, weight: float) -> np.ndarray | None:
    """The rows of `focus` in the documents `doc_ids` (those the question names or titles):
    what the named round searches. None when the round is off (`weight` 0), or when they
    are none of the focus's rows or all of them (the focus round has ranked them among
    themselves already)."""
    if weight <= 0 or not doc_ids:
        return None
    named = np.intersect1d(rows.columns.allowed(doc_ids=dict.fromkeys(doc_ids)), focus, assume_unique=True)
    return named if 0 < len(named) < len(focus) else None


def likely_focus_rows(
    rows: IndexRows,
    analysed: AnalysedQuery,
    dense: Mapping[str, list[int]],
    allowed: np.ndarray | None,
    documents: int,
    config: FocusConfig,
    titled: Sequence[str] = (),
) -> np.ndarray | None:
    """The allowed rows of the documents the focus round is likely to search, as far as
    they are known before BM25 answers: those the query names or titles, then those of the
    `dense` rankings' rows taken rank by rank across the signals, while they hold at most
    `config.prefetch_rows` rows (every allowed row when there are no more). On a shard set
    they are fetched with the first round's BM25 stage, and the focus round then searches
    only its rows not among them: none, most of the time, and no stage of its own. None
    when the focus round cannot run within BM25's idf over its rows."""
    budget = config.prefetch_rows
    if budget <= 0 or not config.idf or config.documents <= 0 or documents <= config.documents:
        return None
    if (rows.size if allowed is None else len(allowed)) <= budget:
        return np.arange(rows.size, dtype=np.int64) if allowed is None else allowed
    ranked = [
        rows.doc_of_row[row] for ranks in itertools.zip_longest(*dense.values()) for row in ranks if row is not None
    ]
    docs: dict[str, None] = {}
    held = 0
    for doc_id in dict.fromkeys([*analysed.named_documents, *titled, *ranked]):
        size = len(rows.columns.doc_rows(doc_id))
        if held + size <= budget:
            docs[doc_id] = None
            held += size
    if not docs:
        return None
    likely = rows.columns.allowed(doc_ids=docs)
    return likely if allowed is None else np.intersect1d(likely, allowed, assume_unique=True)


def merge_focus(
    fused: dict[int, float],
    signal_ranks: dict[str, dict[int, int]],
    focused: Mapping[int, float],
    focused_lists: SignalLists,
    weight: float = 1.0,
) -> None:
    """Each row of a later round (the focus round, the named round) keeps the better of its
    score so far and its score there times `weight`, in place; the ranks a hit shows are
    those of the last round that searched its row."""
    for row, score in focused.items():
        fused[row] = max(score * weight, fused.get(row, 0.0))
    for signal, ranks in focused_lists.ranks().items():
        signal_ranks.setdefault(signal, {}).update(ranks)
