"""FAISS store (exact and HNSW, filtered by ID selector) and the dense encoders' contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wsis_rag.index import vectors as vectors_module
from wsis_rag.index.encoders.embedders import get_embedder, normalise
from wsis_rag.index.vectors import VectorIndex


def _random_unit(n: int, dim: int = 64, seed: int = 0) -> np.ndarray:
    return normalise(np.random.default_rng(seed).standard_normal((n, dim)))


def _saved_and_loaded(index: VectorIndex, directory: Path) -> VectorIndex:
    np.save(directory / "v.npy", index.vectors)
    index.save_ann(directory / "v.index")
    return VectorIndex.load(directory / "v.npy", directory / "v.index")


def test_exact_below_the_limit_hnsw_above_ivf_at_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = _random_unit(3000)
    assert VectorIndex.build(vectors, exact_max=5000).kind == "flat"
    assert VectorIndex.build(vectors, exact_max=100).kind == "hnsw"
    monkeypatch.setattr(vectors_module, "HNSW_MAX", 2000)  # IVF above; at real scale 300,000
    ivf = VectorIndex.build(vectors, exact_max=100)
    assert ivf.kind == "ivf" and ivf.ann.nlist == vectors_module.ivf_lists(3000) == 64


def test_exact_index_keeps_no_faiss_copy_and_loads_memory_mapped(tmp_path: Path) -> None:
    loaded = _saved_and_loaded(VectorIndex.build(_random_unit(200), exact_max=1000), tmp_path)
    assert not (tmp_path / "v.index").exists() and loaded.kind == "flat"
    # A plain array over the mapping (slicing it makes no memmap object per slice).
    assert type(loaded.vectors) is np.ndarray and isinstance(loaded.vectors.base, np.memmap)


@pytest.mark.parametrize(
    ("exact_max", "allowed"),
    [
        (10_000, np.arange(0, 2000, 3)),  # exact, scattered rows
        (10_000, np.arange(0, 2000)[np.arange(2000) % 10 != 3]),  # exact, most rows
        (10_000, np.arange(500, 700)),  # exact, one contiguous range (a document)
        (100, np.arange(0, 2000, 3)),  # HNSW, rows gathered and scored exactly
        (100, np.arange(500, 700)),
    ],
)
def test_search_finds_the_true_neighbours_within_the_allowed_rows(
    exact_max: int, allowed: np.ndarray, tmp_path: Path
) -> None:
    vectors = _random_unit(2000)
    index = _saved_and_loaded(VectorIndex.build(vectors, exact_max=exact_max), tmp_path)
    query = vectors[601] + 0.01
    rows, scores = index.search(query, 10, allowed)
    truth = allowed[np.argsort(-(vectors[allowed] @ query))[:10]]
    assert rows.tolist() == truth.tolist()  # small filters are scored exactly
    assert np.allclose(scores, vectors[truth] @ query, atol=1e-5)
    unfiltered, _ = index.search(query, 5)
    assert unfiltered[0] == 601


@pytest.mark.parametrize("hnsw_max", [10**6, 1000])
def test_large_filters_go_through_the_approximate_index_with_a_selector(
    hnsw_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors_module, "HNSW_MAX", hnsw_max)  # HNSW, then IVF
    monkeypatch.setattr(vectors_module, "EXACT_SUBSET_MAX", {"hnsw": 100, "ivf": 100})
    vectors = _random_unit(3000, dim=32, seed=3)
    index = VectorIndex.build(vectors, exact_max=100)
    allowed = np.arange(1, 3000, 2)
    hits = 0
    for probe in range(0, 3000, 150):
        query = vectors[probe] + 0.01
        rows, _ = index.search(query, 10, allowed)
        assert set(rows.tolist()) <= set(allowed.tolist()) and len(rows) == 10
        truth = allowed[np.argsort(-(vectors[allowed] @ query))[:10]]
        hits += len(set(rows.tolist()) & set(truth.tolist()))
    assert hits / (20 * 10) >= 0.9  # approximate, but widened for what the filter removes


def test_a_filters_kept_bitmap_never_serves_another_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    # The runs count and FAISS bitmap are kept per allowed-row array: the same array again
    # reuses them, an equal new array or another filter (after more than are kept) must
    # not see a stale one.
    monkeypatch.setattr(vectors_module, "EXACT_SUBSET_MAX", {"hnsw": 100, "ivf": 100})
    monkeypatch.setattr(vectors_module, "FILTERS_KEPT", 2)
    vectors = _random_unit(3000, dim=32, seed=5)
    index = VectorIndex.build(vectors, exact_max=100)
    odd, even = np.arange(1, 3000, 2), np.arange(0, 3000, 2)
    for rows in (odd, even):
        rows.setflags(write=False)  # as the retriever's: only those are kept
    query = vectors[1500] + 0.01
    first, _ = index.search(query, 10, odd)
    for allowed in (even, np.arange(0, 3000, 3), odd.copy(), even, odd):
        rows, _ = index.search(query, 10, allowed)
        assert set(rows.tolist()) <= set(allowed.tolist()) and len(rows) == 10
    for start in (0, 1, 0, 1):  # a new array each time, odd and even alternating: never another's facts
        allowed = np.arange(start, 3000, 2)
        allowed.setflags(write=False)
        rows, _ = index.search(query, 10, allowed)
        assert all(row % 2 == start for row in rows.tolist())
    writable = odd.copy()
    index.search(query, 10, writable)
    writable[:] = even  # changed in place: a writable array is never kept
    assert all(row % 2 == 0 for row in index.search(query, 10, writable)[0].tolist())
    assert index.search(query, 10, odd)[0].tolist() == first.tolist()


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
    from wsis_rag.index.encoders.embedding_cache import CachedPassageEncoder

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
