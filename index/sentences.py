"""The sentence table: one vector per quotable sentence (core/sentences.py) of every
passage, embedded at build time by the multilingual encoder that answers score sentences
with, and stored in the index version like the passage vectors. Answers read a retrieved
clause's rows here instead of embedding its sentences per request, so nothing an answer
needs grows with the corpus at start-up or costs an encoder call per clause.

Stored as two files: `sentences-<encoder>.npy` (float32, sentences x dim, memory-mapped)
and `sentence-offsets.npy` (int64, passages + 1): passage row r owns the sentence rows
offsets[r] to offsets[r + 1], in the order `quotable_sentences` returns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.sentences import SENTENCE_RECIPE, quotable_sentences
from ..core.vocabulary import Passage
from .vectors import mapped_array

# Multilingual, so that an English question scores the sentences of the Chinese report.
SENTENCE_ENCODER = "e5"
OFFSETS_FILE = "sentence-offsets.npy"

__all__ = ["OFFSETS_FILE", "SENTENCE_ENCODER", "SENTENCE_RECIPE", "SentenceTable", "sentence_file", "sentence_texts"]


def sentence_file(encoder: str) -> str:
    return f"sentences-{encoder}.npy"


def sentence_texts(passages: Sequence[Passage]) -> tuple[list[str], np.ndarray]:
    """Every quotable sentence of the passages, in passage order, and the offsets that say
    which rows belong to which passage."""
    texts: list[str] = []
    offsets = [0]
    for passage in passages:
        texts += quotable_sentences(passage)
        offsets.append(len(texts))
    return texts, np.asarray(offsets, dtype=np.int64)


@dataclass(frozen=True)
class SentenceTable:
    encoder: str
    offsets: np.ndarray
    vectors: np.ndarray

    def __post_init__(self) -> None:
        if self.offsets.ndim != 1 or len(self.offsets) == 0 or int(self.offsets[-1]) != len(self.vectors):
            raise ValueError(
                f"sentence table: {len(self.vectors)} vectors, offsets end at "
                f"{int(self.offsets[-1]) if len(self.offsets) else 'nothing'}"
            )

    @property
    def passages(self) -> int:
        return len(self.offsets) - 1

    def of_row(self, row: int) -> np.ndarray:
        """The vectors of passage row `row`'s quotable sentences, in their order."""
        return self.vectors[int(self.offsets[row]) : int(self.offsets[row + 1])]

    def save(self, directory: Path) -> None:
        np.save(directory / sentence_file(self.encoder), np.ascontiguousarray(self.vectors, dtype=np.float32))
        np.save(directory / OFFSETS_FILE, self.offsets)

    @classmethod
    def load(cls, directory: Path, encoder: str) -> SentenceTable:
        return cls(
            encoder,
            np.load(directory / OFFSETS_FILE),
            mapped_array(directory / sentence_file(encoder)),
        )
