"""Which paragraphs of one part of a document correspond to which of the other's.

1. Every paragraph is scored against every other (rapidfuzz's `cdist`, word-level Indel
   similarity, in C++ on all cores).
2. The ordered alignment: the longest order-preserving chain of pairs at least `SAME_SLOT`
   similar (dynamic programming, as a longest common subsequence; of chains about as long,
   the more similar). Its pairs are in place, whatever their numbers.
3. Moves: paragraphs left over on both sides that are near-same (`MOVED`) are paired out
   of order.
4. Rewritten in place: a paragraph left alone between the same two aligned neighbours on
   both sides is the same paragraph rewritten (`REWRITTEN`).
5. Splits and merges: a paragraph whose text is two or more consecutive paragraphs of the
   other side, each mostly inside it, covering it clearly better together than any one of
   them alone (`PART_INSIDE`, `SPLIT_GAIN`).

The thresholds are set on the ground truth's draft/adopted and yearly pairs; the figures
that chose them are in docs/decisions/compare.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from .words import Words, common, similarity

# Below this two paragraphs in order are not taken for the same one (a different paragraph
# on the same subject shares its function words and set phrases up to about this much).
SAME_SLOT = 0.5
# Out of order, only near-same text is the same paragraph moved.
MOVED = 0.8
# A split (merge): each part mostly inside the whole paragraph, and together they cover it
# clearly better than the best single part does.
PART_INSIDE = 0.5
SPLIT_GAIN = 0.15
SPLIT_MIN = 0.6
MAX_SPLIT = 4
# A paragraph alone in the same slot on both sides, sharing this much of its words with the
# other: the same paragraph rewritten.
REWRITTEN = 0.2


@dataclass(frozen=True)
class Match:
    """Paragraph indices on each side (one on each for a 1-1 pair; several on one side for a
    split or a merge; none on one side for an addition or a deletion)."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    similarity: float
    in_order: bool = True


def similarities(a: list[Words], b: list[Words]) -> np.ndarray:
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    return process.cdist([w.keys for w in a], [w.keys for w in b], scorer=Indel.normalized_similarity, workers=-1)


def ordered_pairs(scores: np.ndarray, floor: float) -> list[tuple[int, int]]:
    """The longest order-preserving chain of pairs (i, j) with scores[i, j] >= floor; of
    chains about as long, the more similar (each pair counts 1 + its similarity)."""
    n, m = scores.shape
    gain = np.where(scores >= floor, 1.0 + scores, -1.0)
    best = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        row, above, here = gain[i - 1], best[i - 1], best[i]
        for j in range(1, m + 1):
            take = above[j - 1] + row[j - 1] if row[j - 1] > 0 else -1.0
            here[j] = max(above[j], here[j - 1], take)
    pairs: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if best[i, j] == best[i - 1, j]:
            i -= 1
        elif best[i, j] == best[i, j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return pairs[::-1]


def align(a: list[Words], b: list[Words]) -> list[Match]:
    """The matches of one part: every paragraph of both sides in exactly one match."""
    scores = similarities(a, b)
    matches = [Match((i,), (j,), float(scores[i, j])) for i, j in ordered_pairs(scores, SAME_SLOT)]
    free_a = set(range(len(a))) - {i for m in matches for i in m.a}
    free_b = set(range(len(b))) - {j for m in matches for j in m.b}
    matches += _moves(scores, free_a, free_b)
    matches += _rewritten(a, b, scores, matches, free_a, free_b)
    matches = _splits_and_merges(a, b, scores, matches, free_a, free_b)
    matches += [Match((i,), (), 0.0) for i in sorted(free_a)]
    matches += [Match((), (j,), 0.0) for j in sorted(free_b)]
    return matches


def _moves(scores: np.ndarray, free_a: set[int], free_b: set[int]) -> list[Match]:
    candidates = sorted(((scores[i, j], i, j) for i in free_a for j in free_b if scores[i, j] >= MOVED), reverse=True)
    moves = []
    for score, i, j in candidates:
        if i in free_a and j in free_b:
            moves.append(Match((i,), (j,), float(score), in_order=False))
            free_a.discard(i)
            free_b.discard(j)
    return moves


def _joined(words: list[Words], run: range) -> Words:
    joined = Words("")
    for k in run:
        joined.tokens += words[k].tokens
        joined.keys += words[k].keys
    return joined


def _splits_and_merges(
    a: list[Words], b: list[Words], scores: np.ndarray, matches: list[Match], free_a: set[int], free_b: set[int]
) -> list[Match]:
    """A 1-1 match (or a lone paragraph) grown into a split or a merge where free paragraphs
    next to its counterpart complete it."""
    out: list[Match] = []
    for match in matches:
        grown = _grown(match, a, b, scores, free_b, split=True) or _grown(match, a, b, scores, free_a, split=False)
        out.append(grown or match)
    for i in sorted(free_a):
        if i in free_a:
            grown = _grown(Match((i,), (), 0.0), a, b, scores, free_b, split=True)
            out += [grown] if grown else []
    for j in sorted(free_b):
        if j in free_b:
            grown = _grown(Match((), (j,), 0.0), a, b, scores, free_a, split=False)
            out += [grown] if grown else []
    return out


def _grown(
    match: Match, a: list[Words], b: list[Words], scores: np.ndarray, free: set[int], *, split: bool
) -> Match | None:
    """`match` with consecutive free paragraphs of the other side added, when each of them is
    mostly in the one paragraph and together they cover clearly more of it than the best of
    them alone."""
    if split and len(match.a) != 1 or not split and len(match.b) != 1:
        return None
    one, many, other = (match.a[0], match.b, b) if split else (match.b[0], match.a, a)
    whole = (a if split else b)[one]
    sides = scores if split else scores.T
    seeds = list(many) or [k for k in free if sides[one, k] >= REWRITTEN]
    best: tuple[float, range] | None = None
    for seed in seeds:
        for start in range(seed - MAX_SPLIT + 1, seed + 1):
            for end in range(seed + 1, start + MAX_SPLIT + 1):
                run = range(start, end)
                if len(run) < 2 or start < 0 or end > len(other):
                    continue
                if any(k != seed and k not in free for k in run):
                    continue
                shared = [common(whole, other[k]) for k in run]
                if any(n < PART_INSIDE * len(other[k]) for n, k in zip(shared, run, strict=True)):
                    continue
                alone = max(shared) / len(whole)
                # each part's share counted apart: a merge may interleave the two texts
                together = min(sum(shared), len(whole)) / len(whole)
                if together >= SPLIT_MIN and together >= alone + SPLIT_GAIN and (best is None or together > best[0]):
                    best = (together, run)
    if best is None:
        return None
    _, run = best
    free -= set(run)
    together = similarity(whole, _joined(other, run))
    if split:
        return Match((one,), tuple(run), together, match.in_order)
    return Match(tuple(run), (one,), together, match.in_order)


def _rewritten(
    a: list[Words], b: list[Words], scores: np.ndarray, matches: list[Match], free_a: set[int], free_b: set[int]
) -> list[Match]:
    """A paragraph rewritten in place: the only free one on each side between the same two
    ordered neighbours."""
    ordered = sorted((m for m in matches if m.in_order and m.a and m.b), key=lambda m: m.a[0])
    bounds = [(-1, -1)] + [(max(m.a), max(m.b)) for m in ordered] + [(len(a), len(b))]
    out: list[Match] = []
    for (a0, b0), (a1, b1) in zip(bounds, bounds[1:], strict=False):
        gap_a = [i for i in free_a if a0 < i < a1]
        gap_b = [j for j in free_b if b0 < j < b1]
        if len(gap_a) == 1 and len(gap_b) == 1:
            i, j = gap_a[0], gap_b[0]
            if scores[i, j] >= REWRITTEN:
                out.append(Match((i,), (j,), float(scores[i, j])))
                free_a.discard(i)
                free_b.discard(j)
    return out
