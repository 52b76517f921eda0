"""`build_retriever`: the in-memory index over given passages and encoders."""

from __future__ import annotations

import numpy as np
import pytest

from wsis_rag.core.vocabulary import DocumentMeta, Passage
from wsis_rag.index.encoders.embedders import Embedder
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.store.builder import build_retriever, embedding_text


def test_the_given_encoders_embed_passages_and_queries(
    mini_retriever: HybridRetriever,
    mini_passages: list[Passage],
    mini_documents: list[DocumentMeta],
    hashing_embedder: Embedder,
) -> None:
    assert mini_retriever.encoder("hash") is hashing_embedder
    assert mini_retriever.info()["encoders"]["hash"] == {
        "model_id": hashing_embedder.model_id,
        "dim": hashing_embedder.dim,
        "index": "flat",
    }
    # Row i of the vectors is passage i embedded with the build's text recipe.
    meta = {d.id: d for d in mini_documents}
    expected = hashing_embedder.embed_passages([embedding_text(p, meta[p.doc_id]) for p in mini_passages])
    stored = np.asarray(mini_retriever.vectors["hash"].vectors)
    np.testing.assert_allclose(stored, expected, rtol=1e-6)


def test_the_fake_encoder_is_deterministic_and_unit_length(hashing_embedder: Embedder) -> None:
    a = hashing_embedder.embed_queries(["digital divide", "数字鸿沟"])
    b = hashing_embedder.embed_passages(["digital divide", "数字鸿沟"])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-6)
    close, far = hashing_embedder.embed_queries(["digital divides", "broadband for schools"])
    assert float(a[0] @ close) > float(a[0] @ far)


def test_passages_of_an_unknown_document_are_refused(
    mini_passages: list[Passage], mini_documents: list[DocumentMeta], hashing_embedder: Embedder
) -> None:
    resolution_only = [d for d in mini_documents if d.id == "mini-res"]
    with pytest.raises(ValueError, match=r"passages of documents not given: \['mini-report'\]"):
        build_retriever(mini_passages, resolution_only, {"hash": hashing_embedder})
