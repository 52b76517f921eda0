"""What the search stages read of an index, row by row: made once per index and handed to
every stage, so a stage never reaches into the retriever."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ...core.vocabulary import Passage
from ..analysis import symbol_tokens
from ..columns import PassageColumns
from ..lexical import LexicalIndex, Postings
from ..vectors import VectorIndex


class RowSymbols:
    """Symbol tokens of each passage's text, computed when first asked for: only queries
    that name a document use them, and computing them all at load costs seconds at
    collection size."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._cache: dict[int, frozenset[str]] = {}

    def __getitem__(self, row: int) -> frozenset[str]:
        symbols = self._cache.get(row)
        if symbols is None:
            symbols = self._cache[row] = frozenset(symbol_tokens(self._passages[row].text))
        return symbols


Scored = tuple[np.ndarray, np.ndarray]  # (rows, scores), best first


@dataclass(frozen=True)
class LexicalQuery:
    """BM25's query: the question's tokens, the expansion's, and whether each token weighs
    by its idf over the allowed rows (`within`) or over the whole index."""

    tokens: list[str]
    expansion: list[str]
    within: bool = False


@dataclass(frozen=True)
class Fetch:
    """Rows a later stage of the same search is likely to search within (the focus round),
    fetched whole with this stage: every dense query's score of each, and the postings of
    the stage's BM25 tokens among them."""

    rows: np.ndarray  # sorted
    dense: Mapping[str, np.ndarray]  # signal -> its query vector


@dataclass(frozen=True)
class Fetched:
    """What a `Fetch` brought back: each dense signal's score of every fetched row, and
    BM25's postings among them."""

    rows: np.ndarray  # sorted
    dense: dict[str, Scored]
    postings: dict[str, Postings]

    def among(self, allowed: np.ndarray) -> Fetched:
        """Only what falls within the sorted `allowed` rows."""

        def held(rows: np.ndarray) -> np.ndarray:
            return np.isin(rows, allowed, assume_unique=True)

        dense = {}
        for signal, (rows, scores) in self.dense.items():
            inside = held(rows)
            dense[signal] = (rows[inside], scores[inside])
        postings = {}
        for token, found in self.postings.items():
            inside = held(found.rows)
            if inside.any():
                postings[token] = Postings(found.rows[inside], found.scores[inside])
        return Fetched(self.rows[held(self.rows)], dense, postings)


@dataclass(frozen=True)
class StageAnswer:
    dense: dict[str, Scored]  # signal -> its rows
    lexical: Scored | None
    fetched: Fetched | None = None  # what the stage's `Fetch` asked for


@runtime_checkable
class StageSearcher(Protocol):
    """An index whose signals are searched elsewhere (a shard set): each stage of a search
    sends every dense query and, once it is known, BM25's in one request, since a round
    trip costs more there than the searches themselves."""

    def search_stage(
        self,
        dense: Mapping[str, np.ndarray],
        lexical: LexicalQuery | None,
        k: int,
        allowed: np.ndarray | None,
        fetch: Fetch | None = None,
        known: Fetched | None = None,
    ) -> StageAnswer:
        """Each dense query's top-k and BM25's within the allowed rows. `fetch`: rows to
        bring back whole with the answer (it needs `lexical`). `known`: what an earlier
        stage fetched, for a stage within allowed rows with BM25 `within` them: the rows
        among them are not searched again, and the stage asks nothing of the index when
        they are all known."""
        ...


class IndexRows:
    """The passages of one index with the per-row facts the stages need, read from the
    stored columns (no passage is parsed to load an index), and the signals' indexes."""

    def __init__(
        self,
        passages: Sequence[Passage],
        columns: PassageColumns,
        lexical: LexicalIndex,
        vectors: Mapping[str, VectorIndex],
    ) -> None:
        self.passages = passages
        self.columns = columns
        self.lexical = lexical
        self.vectors = vectors
        self.stages = lexical if isinstance(lexical, StageSearcher) else None
        # Lists, not the memory-mapped columns: stages read them one candidate at a time.
        self.doc_of_row: list[str] = columns.doc_ids.tolist()
        self.lang_of_row: list[str] = columns.langs.tolist()
        self.group_of_row: list[int] = columns.group.tolist()
        self.is_front_matter: Callable[[int], bool] = columns.front_matter_test(passages)
        self.symbols_of_row = RowSymbols(passages)

    @property
    def size(self) -> int:
        return self.columns.size


def is_allowed(row: int, allowed: np.ndarray | None) -> bool:
    """Whether `row` is in the sorted `allowed` rows (None allows every row)."""
    if allowed is None:
        return True
    at = int(np.searchsorted(allowed, row))
    return at < len(allowed) and int(allowed[at]) == row
