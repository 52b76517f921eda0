"""Documents a question names by their title's words ("the Pact", "the Cybercrime
Convention", "the Sevilla Commitment"), not by symbol or alias: a document whose title's
telling words the question nearly all uses is one the question is about. Such documents
join the focus round's documents (focus.py), so their clauses are ranked among themselves.

A title's words weigh by their rarity among the titles (idf): "Convention" and "Cybercrime"
carry "United Nations Convention against Cybercrime", "United" and "Nations" hardly count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...core.vocabulary import DocumentMeta
from ..analysis import analyse


@dataclass(frozen=True)
class TitleConfig:
    coverage: float = 0.0  # share of a title's weight the question must use (0 = off)
    documents: int = 3  # at most this many documents, best covered first


def _title_tokens(doc: DocumentMeta) -> frozenset[str]:
    # The number a resolution's title carries ("79/1. The Pact for the Future") is its
    # symbol, which the reference resolver already knows.
    return frozenset(t for t in analyse(doc.title) if not t.startswith(("sym:", "res:")) and not t.isdigit())


class TitleIndex:
    """Each document's title words with their weights, and the documents holding each word
    (a question meets only the titles that share a word with it)."""

    def __init__(self, documents: Sequence[DocumentMeta]) -> None:
        self._ids = [doc.id for doc in documents]
        self._holders: dict[str, list[int]] = {}  # title word -> the documents whose title has it
        for i, doc in enumerate(documents):
            for token in _title_tokens(doc):
                self._holders.setdefault(token, []).append(i)
        total = len(documents)
        self._weight = {t: math.log((1 + total) / len(held)) for t, held in self._holders.items()}
        self._mass = [0.0] * total
        for token, held in self._holders.items():
            for i in held:
                self._mass[i] += self._weight[token]

    def covered(self, query_tokens: Iterable[str], config: TitleConfig) -> list[str]:
        """Ids of the documents whose title weight the query's tokens cover at least
        `config.coverage` of, best covered first, at most `config.documents`."""
        if config.coverage <= 0:
            return []
        used: dict[int, float] = {}
        for token in frozenset(query_tokens) & self._holders.keys():
            for i in self._holders[token]:
                used[i] = used.get(i, 0.0) + self._weight[token]
        scored = [
            (-share, self._ids[i])
            for i, weight in used.items()
            if self._mass[i] and (share := weight / self._mass[i]) >= config.coverage
        ]
        return [doc_id for _, doc_id in sorted(scored)[: config.documents]]
