"""Stage 8: the first page's lower places by the clauses' best sentences
(docs/decisions/sentence-rerank.md).

A clause's vector stands for all of its sentences at once: a long clause whose one sentence
answers the question ranks below shorter clauses that say its words. The index stores every
quotable sentence's vector (for answers); the candidates below the first places are ordered
again by a reciprocal-rank fusion of their place and of their best sentence's cosine with
the query, so that such a clause climbs into the page. The first places stay as fusion put
them: they are where the signals agree, and where a sentence's cosine alone is least sure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .fusion import weighted_rrf


@dataclass(frozen=True)
class SentenceConfig:
    keep: int = 5  # places kept as fusion ranked them
    candidates: int = 30  # places whose clauses may move (the first `keep` among them)
    weight: float = 0.0  # of the best sentence's rank against the place (0 = off)


def best_sentence_similarity(vectors: np.ndarray | None, query: np.ndarray) -> float:
    """The cosine of the query with the clause's closest sentence (-1 without sentences)."""
    if vectors is None or not len(vectors):
        return -1.0
    return float((vectors @ query).max())


def rerank_by_sentences(
    ranked: list[tuple[int, float]], similarity: Callable[[int], float], config: SentenceConfig
) -> list[tuple[int, float]]:
    """`ranked` (row, score), best first, with places `config.keep` + 1 to
    `config.candidates` ordered by weighted reciprocal rank (fusion.py) of their place and
    of their best sentence's similarity among them. Each moved row takes the score of the
    place it moves to, so that scores still fall with rank."""
    if config.weight <= 0 or len(ranked) <= config.keep + 1:
        return ranked
    head, tail, rest = ranked[: config.keep], ranked[config.keep : config.candidates], ranked[config.candidates :]
    rows = [row for row, _ in tail]
    closeness = {row: similarity(row) for row in rows}
    weights = {"place": 1.0, "sentence": config.weight}
    fused = weighted_rrf(
        {"place": rows, "sentence": sorted(rows, key=lambda row: -closeness[row])},
        lambda ranking, _: weights[ranking],
    )
    place = {row: i for i, row in enumerate(rows)}
    order = sorted(rows, key=lambda row: (-fused[row], place[row]))
    return head + [(row, score) for row, (_, score) in zip(order, tail, strict=True)] + rest
