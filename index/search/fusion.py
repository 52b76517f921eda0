"""Stage 3: the signals' lists combined into one score per row, in one of two ways
(`FusionConfig.method`):

- Weighted reciprocal rank fusion: a passage scores sum(weight / (RRF_K + rank)) over the
  signals that ranked it. Ranks, not raw scores, so BM25 and cosine scores need no scaling.
- Convex combination of normalised scores: each signal's scores are min-max scaled over its
  own candidates to [0, 1] and summed with the weights, so a signal that is sure (one
  passage far ahead) says so, where RRF only sees the order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..query import AnalysedQuery
    from .rows import IndexRows
    from .signals import SignalLists

RRF_K = 60
FUSION_METHODS = ("rrf", "convex")

Weight = Callable[[str, int], float]


def weighted_rrf(rankings: Mapping[str, Sequence[int]], weight: Weight, k: int = RRF_K) -> dict[int, float]:
    """Fused score per item. `rankings[signal]` lists items best first; `weight(signal,
    item)` lets the weight depend on the item (e.g. on its language)."""
    fused: dict[int, float] = {}
    for signal, items in rankings.items():
        for rank, item in enumerate(items, start=1):
            fused[item] = fused.get(item, 0.0) + weight(signal, item) / (k + rank)
    return fused


def convex_combination(
    rankings: Mapping[str, Sequence[int]], scores: Mapping[str, Sequence[float]], weight: Weight
) -> dict[int, float]:
    """Fused score per item: sum of weight x the signal's min-max normalised score. An item a
    signal did not return gets nothing from it (as if it scored the signal's minimum)."""
    fused: dict[int, float] = {}
    for signal, items in rankings.items():
        values = scores[signal]
        if not items:
            continue
        low, high = min(values), max(values)
        spread = high - low
        for item, value in zip(items, values, strict=True):
            normalised = (value - low) / spread if spread > 0 else 1.0
            fused[item] = fused.get(item, 0.0) + weight(signal, item) * normalised
    return fused


def fuse(
    method: str, rankings: Mapping[str, Sequence[int]], scores: Mapping[str, Sequence[float]], weight: Weight
) -> dict[int, float]:
    if method == "rrf":
        return weighted_rrf(rankings, weight)
    if method == "convex":
        return convex_combination(rankings, scores, weight)
    raise ValueError(f"unknown fusion method {method!r}; use one of {FUSION_METHODS}")


@dataclass(frozen=True)
class SignalWeights:
    """A signal's weight (signals not in `weights` weigh 1), multiplied by
    `cross_lingual[signal]` for a passage in another language than the query: across
    languages the multilingual encoders carry the match, within one BM25 does."""

    method: str = "rrf"
    weights: Mapping[str, float] = field(default_factory=dict)
    cross_lingual: Mapping[str, float] = field(default_factory=dict)


def fused_scores(
    rows: IndexRows, analysed: AnalysedQuery, lists: SignalLists, config: SignalWeights
) -> dict[int, float]:
    """Row -> fused score of every row a signal returned."""
    weights, cross, lang_of_row = config.weights, config.cross_lingual, rows.lang_of_row

    def weight(signal: str, row: int) -> float:
        w = weights.get(signal, 1.0)
        if lang_of_row[row] != analysed.language:
            w *= cross.get(signal, 1.0)
        return w

    return fuse(config.method, lists.rankings, lists.scores, weight)
