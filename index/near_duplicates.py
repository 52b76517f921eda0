"""Groups of near-identical clauses: the same paragraph repeated across years and drafts
(an ICT-for-development resolution year after year, draft A/C.2/80/L.17 and adopted
A/RES/80/x, the GDC as annex I of A/RES/79/1). Computed once at build time, stored as the
`group` column (`columns.py`); the retriever shows one clause per group and lists the rest.

Method (why not a library): texts are normalised (NFKC, case folded, punctuation and the
clause's own leading number or footnote mark dropped; other numbers kept, so footnotes
"Resolution 79/323" and "Resolution 79/243" stay apart), cut into 5-word shingles (Han
text: one character a word), and compared by the Jaccard similarity of their shingle sets.
Equal normalised texts are joined first. Candidates come from MinHash with banding (64
multiply-shift hash functions in 16 bands of 4: a pair at Jaccard 0.8 shares a band with
probability 0.9999, at 0.3 with probability 0.12), vectorised with numpy; every candidate
pair is checked exactly (Jaccard >= `THRESHOLD`), so MinHash only decides what is compared,
never what is grouped. Texts under 5 words group only when equal. datasketch would do the
same with a new dependency and Python-level updates per shingle; this is 100 lines. The
70,442 passages of the UN collection take 40-50 s on a loaded 2-core machine (14,635 groups
of 2 or more, 52,096 passages in them: drafts and their adopted texts, recurring preambles,
footnotes); thresholds 0.6 and 0.8 gave almost the same groups (14,732 / 14,635).

Groups are the connected components of the joined pairs (union-find); a group's id is its
first row. Clauses of one document may share a group (a repeated footnote).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from .analysis import HAN

SHINGLE = 5
THRESHOLD = 0.8  # Jaccard of shingle sets; 0.8 keeps updated references, drops reworded clauses
BANDS = 16
ROWS = 4
_HASHES = BANDS * ROWS
# Fixed seeds: the same texts give the same groups in every build.
_RNG = np.random.default_rng(20261202)
_A = _RNG.integers(0, 1 << 63, size=_HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
_B = _RNG.integers(0, 1 << 63, size=_HASHES, dtype=np.uint64)
_WORD = re.compile(f"[{HAN}]|(?:(?![{HAN}])[^\\W_])+")
# A clause's own number or footnote mark ("12.", "3", "*") is not part of its language.
_MARKER = re.compile(r"^\s*(?:\d+|\*+)\.?(?=\s)")


def words(text: str) -> list[str]:
    """The normalised words of a clause: runs of letters and digits, case folded, without
    the clause's leading number or footnote mark; each Han character is a word of its own
    (Chinese has no spaces to cut on)."""
    return _WORD.findall(_MARKER.sub("", unicodedata.normalize("NFKC", text)).casefold())


def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = int(self.parent[root])
        while self.parent[i] != root:  # path compression
            self.parent[i], i = root, int(self.parent[i])
        return root

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)  # the smaller row stays root: ids are first rows


def shingle_hashes(tokens: list[str], hashes: dict[str, int]) -> np.ndarray:
    """The distinct 64-bit hashes of the text's `SHINGLE`-word shingles (empty if shorter)."""
    if len(tokens) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    for token in set(tokens).difference(hashes):
        hashes[token] = _token_hash(token)
    ids = np.array([hashes[t] for t in tokens], dtype=np.uint64)
    combined = np.zeros(len(ids) - SHINGLE + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrap-around multiplication is the point
        for offset in range(SHINGLE):
            combined = combined * np.uint64(1_000_003) + ids[offset : offset + len(combined)]
    return np.unique(combined)


def _signature(shingles: np.ndarray) -> np.ndarray:
    """MinHash signature: per hash function, the least value over the shingles. The hash
    functions are multiply-shift ((a*x + b) mod 2^64, top 32 bits), a universal family."""
    with np.errstate(over="ignore"):  # wrap-around mod 2^64 is the hash
        values = (_A[None, :] * shingles[:, None] + _B[None, :]) >> np.uint64(32)
    return values.min(axis=0)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct shingle hashes."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def clause_groups(texts: Sequence[str], threshold: float = THRESHOLD) -> np.ndarray:
    """Group id of each row (int64): rows of one group hold near-identical clauses; a row
    alone in its group has its own row number."""
    n = len(texts)
    groups = _UnionFind(n)
    token_hashes: dict[str, int] = {}
    # Equal normalised texts first: one representative each goes through MinHash.
    first_of_text: dict[str, int] = {}
    shingles: dict[int, np.ndarray] = {}
    buckets: dict[tuple[int, bytes], int] = {}
    for row, text in enumerate(texts):
        tokens = words(text)
        if not tokens:
            continue
        key = " ".join(tokens)
        first = first_of_text.setdefault(key, row)
        if first != row:
            groups.union(first, row)
            continue
        own = shingle_hashes(tokens, token_hashes)
        if not len(own):
            continue
        shingles[row] = own
        bands = _signature(own).reshape(BANDS, ROWS)
        for band, values in enumerate(bands):
            # Star, not all pairs: each row is checked against the first row of each of its
            # buckets, so a boilerplate bucket of thousands costs thousands of checks.
            other = buckets.setdefault((band, values.tobytes()), row)
            if other != row and groups.find(other) != groups.find(row):
                if jaccard(own, shingles[other]) >= threshold:
                    groups.union(other, row)
    return np.array([groups.find(row) for row in range(n)], dtype=np.int64)
