"""The answers' sentence vectors stay bounded: at most `capacity` kept, the least recently
used dropped first; and the start-up warm-up embeds the manifest's documents only, never a
collection indexed beside them."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from wsis_rag.core.vocabulary import DocumentMeta, Passage
from wsis_rag.index.encoders.embedders import Embedder
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.products.answers import answer
from wsis_rag.products.answers.answer import (
    AnswerConfig,
    Candidate,
    SentenceVectors,
    answer_sentences,
    in_reading_order,
)


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
    monkeypatch.setattr(answer, "sentence_vectors", lambda _: kept)
    # on a thread of its own: the warm-up lowers its thread's CPU priority
    warming = threading.Thread(target=answer.warm_answer_sentences, args=(retriever,))
    warming.start()
    warming.join()
    config = AnswerConfig()
    expected = {s for p in passages if p.doc_id == "gdc" for s in answer_sentences(p, config.min_words)}
    assert len(kept) == len(expected) > 0


def test_sentences_are_read_named_document_first_then_the_askers_language(mini_retriever) -> None:  # type: ignore[no-untyped-def]
    hits = mini_retriever.search("digital divide 数字鸿沟 Bridges resolution", k=8)
    chosen = [Candidate(hit, hit.passage.text) for hit in hits]
    assert {c.hit.passage.lang for c in chosen} == {"en", "zh"}
    english_first = in_reading_order(chosen, "en", frozenset())
    langs = [c.hit.passage.lang for c in english_first]
    assert langs == sorted(langs, key=lambda lang: lang != "en")
    report_first = in_reading_order(chosen, "en", frozenset({"mini-report"}))
    docs = [c.hit.passage.doc_id for c in report_first]
    assert docs == sorted(docs, key=lambda doc: doc != "mini-report")
