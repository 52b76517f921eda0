"""FAISS store (exact and HNSW, filtered by ID selector) and the dense encoders' contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wsis_rag.index.embedders import get_embedder, normalise
from wsis_rag.index.vectors import VectorIndex


def _random_unit(n: int, dim: int = 64, seed: int = 0) -> np.ndarray:
    return normalise(np.random.default_rng(seed).standard_normal((n, dim)))


def test_exact_below_the_limit_hnsw_above() -> None:
    vectors = _random_unit(500)
    assert VectorIndex.build(vectors, exact_max=1000).kind == "flat"
    assert VectorIndex.build(vectors, exact_max=100).kind == "hnsw"


@pytest.mark.parametrize("exact_max", [10_000, 100])
def test_search_finds_the_true_neighbours_within_the_allowed_rows(exact_max: int, tmp_path: Path) -> None:
    vectors = _random_unit(2000)
    index = VectorIndex.build(vectors, exact_max=exact_max)
    index.save(tmp_path / "v.index")
    index = VectorIndex.load(tmp_path / "v.index")
    query = vectors[7] + 0.01
    allowed = np.arange(0, 2000, 3)
    rows, scores = index.search(query, 10, allowed)
    assert set(rows.tolist()) <= set(allowed.tolist())
    truth = allowed[np.argsort(-(vectors[allowed] @ query))[:10]]
    assert len(set(rows.tolist()) & set(truth.tolist())) >= 9  # HNSW is approximate
    assert list(scores) == sorted(scores, reverse=True)
    unfiltered, _ = index.search(query, 5)
    assert unfiltered[0] == 7


def test_search_with_fewer_allowed_rows_than_k() -> None:
    index = VectorIndex.build(_random_unit(50), exact_max=100)
    rows, _ = index.search(_random_unit(1, seed=1)[0], 10, np.array([3, 4]))
    assert sorted(rows.tolist()) == [3, 4]


@pytest.mark.integration  # real encoders
@pytest.mark.parametrize("name", ["e5", "use"])
def test_encoders_give_unit_float32_rows_and_align_languages(name: str) -> None:
    embedder = get_embedder(name)
    passages = embedder.embed_passages(["国际电联理事会的报告", "The football match ended in a draw."])
    query = embedder.embed_queries(["report of the ITU Council"])
    assert passages.dtype == np.float32 and passages.shape == (2, embedder.dim)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    scores = passages @ query[0]
    assert scores[0] > scores[1]  # the Chinese passage about the Council is the closer one


@pytest.mark.integration  # a real encoder
def test_embedding_cache_returns_exactly_what_the_encoder_gives(tmp_path: Path) -> None:
    from wsis_rag.index.embedding_cache import CachedPassageEncoder

    embedder = get_embedder("use")
    cache = CachedPassageEncoder(embedder, tmp_path)
    texts = ["国际电联理事会", "Global Digital Compact", "国际电联理事会"]
    first, encoded = cache.embed_passages(texts)
    assert encoded == 2  # the repeated text is encoded once
    again, encoded_again = CachedPassageEncoder(embedder, tmp_path).embed_passages(texts[::-1])
    assert encoded_again == 0
    assert np.array_equal(again, first[::-1])
    assert np.allclose(first, embedder.embed_passages(texts), atol=1e-6)
    cache.path.write_bytes(b"damaged")  # a broken cache only costs time
    assert np.allclose(cache.embed_passages(texts)[0], first, atol=1e-6)
