"""Stage 5: the focus round (docs/decisions/focus-round.md).

Every signal searches again within the documents the first round found the question is
about, so that their clauses are ranked among themselves, as on an index of those documents
alone; each of their clauses keeps the better of its two scores."""

from __future__ import annotations

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


def merge_focus(
    fused: dict[int, float],
    signal_ranks: dict[str, dict[int, int]],
    focused: Mapping[int, float],
    focused_lists: SignalLists,
) -> None:
    """Each focus row keeps the better of its two scores, in place; the ranks a hit shows
    are those that gave its score: within the focus for its rows."""
    for row, score in focused.items():
        fused[row] = max(score, fused.get(row, 0.0))
    for signal, ranks in focused_lists.ranks().items():
        signal_ranks.setdefault(signal, {}).update(ranks)
