"""What the search stages read of an index, row by row: made once per index and handed to
every stage, so a stage never reaches into the retriever."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ...core.vocabulary import Passage
from ..analysis import symbol_tokens
from ..columns import PassageColumns
from ..lexical import LexicalIndex
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
