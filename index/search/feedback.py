"""Stage 2: cross-lingual pseudo-relevance feedback (docs/decisions/cross-lingual-feedback.md).

The best dense results written in another language than the query hold the words that
language uses for what the query asks; the most telling of them join the BM25 query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..analysis import analyse
from ..query import AnalysedQuery
from .fusion import fuse
from .rows import IndexRows


@dataclass(frozen=True)
class FeedbackConfig:
    terms: int = 10  # tokens added (0 = off)
    passages: int = 5  # foreign-language dense results read
    translated: bool = False  # also for queries the termbase already translated


def feedback_applies(rows: IndexRows, analysed: AnalysedQuery, config: FeedbackConfig) -> bool:
    """Whether feedback may add words to this query, known before any signal runs: not when
    off, not (unless `translated`) when the termbase already translated the query, not when
    no passage contains a word of it. When it may not, BM25 need not wait for the dense
    lists (signals.py runs it beside them)."""
    if config.terms <= 0 or (analysed.translated and not config.translated):
        return False
    return bool(rows.lexical.document_frequency(list(analysed.bm25_tokens)))


def cross_lingual_feedback(
    rows: IndexRows, analysed: AnalysedQuery, dense: Mapping[str, list[int]], config: FeedbackConfig
) -> list[str]:
    """BM25 tokens from the best dense results in another language than the query, ranked
    by how many of those passages use them and how rare they are in the index. Empty when
    off, when no dense signal runs, when no passage contains a word of the query ("zzqx"
    must stay unanswered: its dense neighbours are arbitrary), and (unless `translated`)
    when the termbase already translated the query."""
    if not dense or not feedback_applies(rows, analysed, config):
        return []
    ranked = fuse("rrf", dense, {}, lambda _signal, _row: 1.0)
    # Ties (a row one signal ranks where another ranks another) go to the lower row, not
    # to whichever signal's list was fused first.
    foreign = [row for row, _ in sorted(ranked.items(), key=lambda item: (-item[1], item[0]))]
    foreign = [row for row in foreign if rows.lang_of_row[row] != analysed.language][: config.passages]
    if not foreign:
        return []
    counts: dict[str, int] = {}
    for row in foreign:
        for token in set(analyse(rows.passages[row].text)):
            counts[token] = counts.get(token, 0) + 1
    known = analysed.match_tokens
    frequency = rows.lexical.document_frequency([t for t in counts if t not in known])
    total = rows.lexical.size
    weight = {t: counts[t] * float(np.log(total / df)) for t, df in frequency.items() if df < total / 2}
    return sorted(weight, key=lambda t: (-weight[t], t))[: config.terms]
