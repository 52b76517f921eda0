"""Answers' sentence vectors: stored in the index at build time, one row per quotable
sentence of each passage, and read from there, so an answer embeds only its question; an
index without the table still answers, its sentences embedded once and kept (bounded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wsis_rag.core.sentences import quotable_sentences
from wsis_rag.core.vocabulary import DocumentMeta, Passage
from wsis_rag.index.encoders.embedders import Embedder
from wsis_rag.index.sentences import OFFSETS_FILE, SENTENCE_RECIPE, SentenceTable, sentence_file
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.index.store.versions import read_sentences
from wsis_rag.products.answers.calibration import load_calibration
from wsis_rag.products.answers.choice import candidates
from wsis_rag.products.answers.question import understand
from wsis_rag.products.answers.vectors import ClauseSentences, SentenceCache


class CountingEmbedder:
    """An encoder that counts the texts it is asked to embed as passages."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.model_id, self.dim = "e5", inner.model_id, inner.dim
        self.passages_embedded = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)


def test_the_least_recently_used_sentence_goes_first(hashing_embedder: Embedder) -> None:
    vectors = SentenceCache(hashing_embedder, capacity=2)
    first = vectors.embed(["The first sentence here.", "The second sentence here."])
    vectors.embed(["The first sentence here."])  # used again: the second is now the oldest
    vectors.embed(["A third sentence arrives."])
    assert len(vectors) == 2
    kept = vectors.embed(["The first sentence here."])
    assert np.allclose(kept[0], first[0])
    assert np.allclose(vectors.embed(["The second sentence here."])[0], first[1])  # embedded again, the same


def test_the_index_stores_a_vector_per_quotable_sentence(
    mini_passages: list[Passage], mini_documents: list[DocumentMeta], hashing_embedder: Embedder
) -> None:
    retriever = build_retriever(mini_passages, mini_documents, {"e5": hashing_embedder})
    assert retriever.sentences is not None
    quotable = 0
    for passage in mini_passages:
        sentences = quotable_sentences(passage)
        quotable += len(sentences)
        stored = retriever.sentence_vectors(passage.id)
        assert stored is not None and len(stored) == len(sentences)
        if sentences:
            np.testing.assert_allclose(stored, hashing_embedder.embed_passages(sentences), rtol=1e-6)
    assert quotable > len(mini_passages) // 2 and len(retriever.sentences.vectors["e5"]) == quotable


def test_answers_read_the_stored_rows_and_embed_only_without_them(
    mini_passages: list[Passage], mini_documents: list[DocumentMeta], hashing_embedder: Embedder
) -> None:
    encoder = CountingEmbedder(hashing_embedder)
    retriever = build_retriever(mini_passages, mini_documents, {"e5": encoder})  # type: ignore[dict-item]
    clauses = [(p, quotable_sentences(p)) for p in mini_passages if quotable_sentences(p)][:4]
    built = encoder.passages_embedded
    stored = ClauseSentences(retriever).vectors(clauses)
    assert encoder.passages_embedded == built  # nothing embedded per answer
    assert len(stored) == sum(len(sentences) for _, sentences in clauses)

    retriever.sentences = None  # an index built without the table
    computed = ClauseSentences(retriever).vectors(clauses)
    assert encoder.passages_embedded == built + len(stored)
    np.testing.assert_allclose(computed, stored, rtol=1e-6)


def test_a_table_whose_offsets_do_not_cover_its_vectors_is_refused() -> None:
    with pytest.raises(ValueError, match="3 use vectors, offsets end at 2"):
        SentenceTable(np.array([0, 1, 2]), {"e5": np.zeros((2, 4), np.float32), "use": np.zeros((3, 4), np.float32)})


def test_answers_read_each_sentence_through_every_encoder_the_index_stores(
    mini_passages: list[Passage], mini_documents: list[DocumentMeta], hashing_embedder: Embedder
) -> None:
    e5, use = hashing_embedder, type(hashing_embedder)(64)  # type: ignore[call-arg]  # a second fake, narrower
    retriever = build_retriever(mini_passages, mini_documents, {"e5": e5, "use": use})
    assert retriever.sentences is not None and retriever.sentences.encoders == ["e5", "use"]
    question = "Which body coordinates the follow-up?"
    hits = retriever.search(question, k=5)
    scored = candidates(understand(retriever, question), hits, ClauseSentences(retriever), load_calibration())
    assert scored
    best_use = max(float(use.embed_passages([c.text])[0] @ use.embed_queries([question])[0]) for c in scored)
    for candidate in scored:
        expected = float(use.embed_passages([candidate.text])[0] @ use.embed_queries([question])[0])
        assert candidate.features["use_cosine"] == pytest.approx(expected, abs=1e-5)
        assert candidate.features["use_cosine_gap"] == pytest.approx(best_use - expected, abs=1e-5)
    # An index without USE gives every sentence the same (nil) USE view: it orders nothing.
    only_e5 = build_retriever(mini_passages, mini_documents, {"e5": e5})
    plain = candidates(understand(only_e5, question), hits, ClauseSentences(only_e5), load_calibration())
    assert {(c.features["use_cosine"], c.features["use_cosine_gap"]) for c in plain} == {(0.0, 0.0)}


def test_a_version_written_when_the_table_held_one_encoder_is_served_with_it(tmp_path: Path) -> None:
    offsets, e5 = np.array([0, 2, 3]), np.eye(3, 4, dtype=np.float32)
    SentenceTable(offsets, {"e5": e5}).save(tmp_path)
    files = {sentence_file("e5"): "sha", OFFSETS_FILE: "sha"}
    older = {"sentences": {"encoder": "e5", "recipe": SENTENCE_RECIPE, "count": 3}, "files": files}
    table = read_sentences(tmp_path, older)
    assert table is not None and table.encoders == ["e5"]
    np.testing.assert_array_equal(table.of_row(0), e5[:2])
    assert table.of_row(0, "use") is None  # answers embed USE's rows until the next build adds them
    newer = {"sentences": {"encoders": ["e5", "use"], "recipe": SENTENCE_RECIPE, "count": 3}, "files": files}
    assert read_sentences(tmp_path, newer) is None  # a file it records is missing
    assert read_sentences(tmp_path, {**older, "sentences": {**older["sentences"], "recipe": -1}}) is None
