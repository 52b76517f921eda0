"""Sentence vectors for answers: read from the index's sentence table (embedded at build
time by each encoder answers read, index/sentences.py), so an answer embeds nothing but its
question.

An index without the table (built before it, or without the table's encoder) still
answers: the sentences of the clauses an answer reads are embedded then, and kept up to a
bound (least recently used first out). Nothing runs at start-up either way.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ...core.vocabulary import Passage
from ...index.api import SENTENCE_ENCODER, Embedder, HybridRetriever, sentence_encoders

# Sentence vectors kept per encoder when the index has none: 384 floats each for e5, 512
# for USE, so about 80 and 100 MB at most.
SENTENCE_CAPACITY = 50_000


class SentenceCache:
    """Embeddings of clause sentences, each computed once and kept, at most `capacity`, the
    least recently used dropped first (thread-safe)."""

    def __init__(self, encoder: Embedder, capacity: int = SENTENCE_CAPACITY) -> None:
        self.encoder = encoder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, sentences: Sequence[str]) -> np.ndarray:
        """Vectors of `sentences` (rows in their order), the missing ones computed."""
        with self._lock:
            found = {s: self._vectors[s] for s in dict.fromkeys(sentences) if s in self._vectors}
            for sentence in found:
                self._vectors.move_to_end(sentence)
        missing = [s for s in dict.fromkeys(sentences) if s not in found]
        if missing:
            vectors = self.encoder.embed_passages(missing)
            found.update(zip(missing, vectors, strict=True))
            with self._lock:
                self._vectors.update(zip(missing, vectors, strict=True))
                while len(self._vectors) > self.capacity:
                    self._vectors.popitem(last=False)
        if not sentences:
            return np.zeros((0, self.encoder.dim), np.float32)
        return np.stack([found[s] for s in sentences])


@lru_cache
def sentence_cache(encoder: Embedder) -> SentenceCache:
    """The process-wide sentence cache of an encoder (encoders are process-wide too)."""
    return SentenceCache(encoder)


class ClauseSentences:
    """The sentence vectors of an index's clauses, for one answer: e5's, and those of the
    other encoders answers read (SENTENCE_ENCODERS) that the index has: the stored rows of
    its sentence table, else (an index without them) the process-wide cache's."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self.retriever = retriever
        names = dict.fromkeys([SENTENCE_ENCODER, *sentence_encoders(retriever.vectors)])
        self.encoders = {name: retriever.encoder(name) for name in names}

    def vectors(self, clauses: Sequence[tuple[Passage, Sequence[str]]], encoder: str = SENTENCE_ENCODER) -> np.ndarray:
        """One row per sentence of `clauses` (each a passage and its quotable sentences),
        clause by clause, in the sentences' order."""
        blocks: list[np.ndarray | None] = []
        for passage, sentences in clauses:
            stored = self.retriever.sentence_vectors(passage.id, encoder)
            blocks.append(stored if stored is not None and len(stored) == len(sentences) else None)
        missing = [s for (_, sentences), block in zip(clauses, blocks, strict=True) if block is None for s in sentences]
        embedder = self.encoders[encoder]
        computed = iter(sentence_cache(embedder).embed(missing)) if missing else iter(())
        rows = [
            np.asarray(block) if block is not None else np.stack([next(computed) for _ in sentences])
            for (_, sentences), block in zip(clauses, blocks, strict=True)
            if sentences
        ]
        return np.concatenate(rows) if rows else np.zeros((0, embedder.dim), np.float32)

    def cosines(self, question: str, clauses: Sequence[tuple[Passage, Sequence[str]]]) -> dict[str, np.ndarray]:
        """Each encoder's cosine of the question with every sentence of `clauses` (in the
        order of `vectors`)."""
        return {
            name: self.vectors(clauses, name) @ embedder.embed_queries([question])[0]
            for name, embedder in self.encoders.items()
        }
