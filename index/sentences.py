"""The sentence table: vectors of every quotable sentence (core/sentences.py) of every
passage, embedded at build time by the multilingual encoders answers score sentences with,
and stored in the index version like the passage vectors. Answers read a retrieved
clause's rows here instead of embedding its sentences per request, so nothing an answer
needs grows with the corpus at start-up or costs an encoder call per clause.

Stored as one file per encoder, `sentences-<encoder>.npy` (float32, sentences x dim,
memory-mapped), and `sentence-offsets.npy` (int64, passages + 1): passage row r owns the
sentence rows offsets[r] to offsets[r + 1] of every encoder's file, in the order
`quotable_sentences` returns them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.sentences import SENTENCE_RECIPE, quotable_sentences
from ..core.vocabulary import Passage
from .vectors import mapped_array

# Both multilingual, so that an English question scores the sentences of the Chinese
# report: e5, which the search's sentence stage reads too (SENTENCE_ENCODER), and USE, the
# stronger across languages, which the answers' sentence choice reads beside it.
SENTENCE_ENCODER = "e5"
SENTENCE_ENCODERS = (SENTENCE_ENCODER, "use")
OFFSETS_FILE = "sentence-offsets.npy"

__all__ = [
    "OFFSETS_FILE",
    "SENTENCE_ENCODER",
    "SENTENCE_ENCODERS",
    "SENTENCE_RECIPE",
    "SentenceTable",
    "sentence_encoders",
    "sentence_file",
    "sentence_texts",
]


def sentence_file(encoder: str) -> str:
    return f"sentences-{encoder}.npy"


def sentence_encoders(index_encoders: Iterable[str]) -> list[str]:
    """The encoders whose sentence vectors an index with `index_encoders` stores."""
    present = set(index_encoders)
    return [name for name in SENTENCE_ENCODERS if name in present]


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
    offsets: np.ndarray
    vectors: Mapping[str, np.ndarray]  # encoder -> one row per sentence

    def __post_init__(self) -> None:
        if self.offsets.ndim != 1 or len(self.offsets) == 0:
            raise ValueError("sentence table: no offsets")
        for encoder, vectors in self.vectors.items():
            if int(self.offsets[-1]) != len(vectors):
                raise ValueError(
                    f"sentence table: {len(vectors)} {encoder} vectors, offsets end at {int(self.offsets[-1])}"
                )

    @property
    def encoders(self) -> list[str]:
        return list(self.vectors)

    @property
    def passages(self) -> int:
        return len(self.offsets) - 1

    def of_row(self, row: int, encoder: str = SENTENCE_ENCODER) -> np.ndarray | None:
        """The `encoder` vectors of passage row `row`'s quotable sentences, in their order;
        None when the table holds none of that encoder."""
        vectors = self.vectors.get(encoder)
        return None if vectors is None else vectors[int(self.offsets[row]) : int(self.offsets[row + 1])]

    def save(self, directory: Path) -> None:
        for encoder, vectors in self.vectors.items():
            np.save(directory / sentence_file(encoder), np.ascontiguousarray(vectors, dtype=np.float32))
        np.save(directory / OFFSETS_FILE, self.offsets)

    @classmethod
    def load(cls, directory: Path, encoders: Sequence[str]) -> SentenceTable:
        return cls(
            np.load(directory / OFFSETS_FILE),
            {encoder: mapped_array(directory / sentence_file(encoder)) for encoder in encoders},
        )
