"""Extractive answers: verbatim sentences of cited clauses, markers that resolve, and a
plain "not found" when the corpus does not answer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from wsis_rag.core.settings import Settings
from wsis_rag.products.answers.answer import (
    NOT_FOUND_ANSWER,
    SentenceVectors,
    content_terms,
    lexical_overlap,
    split_sentences,
)
from wsis_rag.service.app import create_app

MARKER = re.compile(r" ?\[(\d+)\]")


@pytest.fixture(scope="module")
def client(built_index: Settings, retriever) -> Iterator[TestClient]:
    with TestClient(create_app(built_index, retriever)) as test_client:
        yield test_client


def sentences_with_markers(answer: str) -> list[tuple[str, int]]:
    """Split 'sentence [1] sentence [2]' into (sentence, marker) pairs."""
    parts = MARKER.split(answer)
    return [(parts[i].strip(), int(parts[i + 1])) for i in range(0, len(parts) - 1, 2)]


def test_sentences_are_verbatim_and_keep_abbreviations(retriever) -> None:
    para = retriever.get("a-res-80-173:para-121").text
    sentences = split_sentences(para)
    assert sentences and all(s in para for s in sentences)
    text = "We recall para. 3 of the resolution. We request ITU, e.g. its Council, to act; and report."
    assert split_sentences(text) == [
        "We recall para. 3 of the resolution.",
        "We request ITU, e.g. its Council, to act;",
        "and report.",
    ]
    chinese = retriever.get("council-report-2026:s7-p3").text
    pieces = split_sentences(chinese)
    assert len(pieces) >= 1 and all(p in chinese for p in pieces) and pieces[0].endswith("。")


def test_lexical_overlap_counts_content_terms() -> None:
    terms = content_terms("What does A/RES/80/173 assign to ITU at its 44th meeting?")
    assert terms == {"A/RES/80/173", "assign", "ITU", "44th", "meeting"}
    assert lexical_overlap(terms, "the outcome (A/RES/80/173) asks ITU to ... assigned") == pytest.approx(3 / 5)
    # Across languages, through the termbase and ordinal numbers.
    assert lexical_overlap(terms, "国际电联第44次会议") == pytest.approx(3 / 5)


def test_itu_question_answer_cites_the_clauses_that_name_itu(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "What does A/RES/80/173 assign to ITU?"}).json()
    assert body["found"] is True, body
    citations = {c["n"]: c for c in body["citations"]}
    pairs = sentences_with_markers(body["answer"])
    assert pairs and {n for _, n in pairs} == set(citations)
    # Every sentence is quoted verbatim from the clause its marker cites.
    for sentence, n in pairs:
        assert sentence in citations[n]["text"], (sentence, citations[n]["id"])
    # Nothing else: the answer is exactly those sentences and markers.
    assert body["answer"] == " ".join(f"{s} [{n}]" for s, n in pairs)
    cited = {c["id"] for c in body["citations"]}
    wanted = {"a-res-80-173:para-67", "a-res-80-173:para-107", "a-res-80-173:para-110", "a-res-80-173:para-121"}
    assert cited & wanted, cited
    assert all(c["label"] == c["citation"]["label"] for c in body["citations"])


def test_the_flagship_question_answers_with_the_named_documents_clauses_first(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "What does A/RES/80/173 assign to ITU?"}).json()
    ids = [c["id"] for c in body["citations"]]
    assert ids[0].startswith("a-res-80-173:") and "a-res-80-173:para-121" in ids, ids
    # Its own clauses, then the others as context; English before Chinese, never interleaved.
    langs = [c["lang"] for c in body["citations"]]
    assert langs == sorted(langs, key=lambda lang: lang != "en"), langs


def test_cross_lingual_answer_quotes_the_chinese_report(client: TestClient) -> None:
    body = client.post(
        "/ask",
        json={"question": "When did the CWG-WSIS&SDG hold its 44th meeting?", "filters": {"doc": ["council-report"]}},
    ).json()
    assert body["found"] is True, body
    assert any("2026年1月15-16日" in c["text"] for c in body["citations"])
    for sentence, n in sentences_with_markers(body["answer"]):
        assert sentence in body["citations"][n - 1]["text"]


@pytest.mark.parametrize(
    "question",
    ["How long should I bake a chocolate cake at 180 degrees?", "Who won the football world cup in 1998?"],
)
def test_off_topic_question_is_not_answered(client: TestClient, question: str) -> None:
    body = client.post("/ask", json={"question": question}).json()
    assert body == {**body, "found": False, "answer": NOT_FOUND_ANSWER, "citations": []}


def test_sentence_vectors_are_computed_once_and_match_the_encoder(retriever) -> None:
    encoder = retriever.encoder("e5")
    vectors = SentenceVectors(encoder)
    sentences = split_sentences(retriever.get("a-res-80-173:para-67").text)[1:3]
    first = vectors.embed(sentences)
    assert len(vectors) == 2
    again = vectors.embed([sentences[1], sentences[0], sentences[1]])
    assert len(vectors) == 2  # nothing new was embedded
    assert np.allclose(again[0], first[1]) and np.allclose(again[1], first[0])
    assert np.allclose(first, encoder.embed_passages(sentences), atol=1e-5)
