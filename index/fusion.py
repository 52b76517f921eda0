"""Weighted reciprocal rank fusion: a passage scores sum(weight / (RRF_K + rank)) over the
signals that ranked it. Ranks, not raw scores, so BM25 and cosine scores need no scaling."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

RRF_K = 60


def weighted_rrf(
    rankings: Mapping[str, Sequence[int]],
    weight: Callable[[str, int], float],
    k: int = RRF_K,
) -> dict[int, float]:
    """Fused score per item. `rankings[signal]` lists items best first; `weight(signal,
    item)` lets the weight depend on the item (e.g. on its language)."""
    fused: dict[int, float] = {}
    for signal, items in rankings.items():
        for rank, item in enumerate(items, start=1):
            fused[item] = fused.get(item, 0.0) + weight(signal, item) / (k + rank)
    return fused
