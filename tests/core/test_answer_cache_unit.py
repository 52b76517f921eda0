"""The answers' sentence vectors stay bounded: at most `capacity` kept, the least recently
used dropped first; and the start-up warm-up embeds the manifest's documents only, never a
collection indexed beside them (so no start-up work grows with a collection)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from wsis_rag.core.vocabulary import DocumentMeta, Passage
from wsis_rag.index.encoders.embedders import Embedder
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.products.answers import vectors as answer_vectors
from wsis_rag.products.answers.sentences import answer_sentences
from wsis_rag.products.answers.vectors import MIN_WORDS, SentenceVectors


def test_the_least_recently_used_sentence_goes_first(hashing_embedder: Embedder) -> None:
    vectors = SentenceVectors(hashing_embedder, capacity=2)
    first = vectors.embed(["The first sentence here.", "The second sentence here."])
    vectors.embed(["The first sentence here."])  # used again: the second is now the oldest
    vectors.embed(["A third sentence arrives."])
    assert len(vectors) == 2
    kept = vectors.embed(["The first sentence here."])
    assert np.allclose(kept[0], first[0])
    assert np.allclose(vectors.embed(["The second sentence here."])[0], first[1])  # embedded again, the same


def test_the_warm_up_embeds_the_manifest_documents_only(
    mini_passages: list[Passage],
    mini_documents: list[DocumentMeta],
    hashing_embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The mini-corpus's resolution stands in for a manifest document (the GDC), its report
    # for a document of a collection.
    res = next(d for d in mini_documents if d.id == "mini-res")
    gdc = res.model_copy(update={"id": "gdc"})
    passages = [
        p.model_copy(update={"doc_id": "gdc", "id": p.id.replace("mini-res", "gdc")}) if p.doc_id == "mini-res" else p
        for p in mini_passages
    ]
    documents = [gdc, *(d for d in mini_documents if d.id != "mini-res")]
    retriever = build_retriever(passages, documents, {"e5": hashing_embedder})
    kept = SentenceVectors(hashing_embedder)
    monkeypatch.setattr(answer_vectors, "sentence_vectors", lambda _: kept)
    # on a thread of its own: the warm-up lowers its thread's CPU priority
    warming = threading.Thread(target=answer_vectors.warm_answer_sentences, args=(retriever,))
    warming.start()
    warming.join()
    expected = {s for p in passages if p.doc_id == "gdc" for s in answer_sentences(p, MIN_WORDS)}
    assert len(kept) == len(expected) > 0
