"""The corpus as the API shows it (products/documents/catalog.py): document summaries,
a document's outline in order, first words in both scripts, a passage with neighbours."""

from __future__ import annotations

import pytest

from wsis_rag.core.errors import NotFoundError
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.products.documents.catalog import (
    document_detail,
    first_words,
    list_documents,
    passage_detail,
)


def test_summaries_count_clauses_and_passages(mini_retriever: HybridRetriever) -> None:
    counts = {s.meta.id: (s.clauses, s.passages) for s in list_documents(mini_retriever)}
    # para-4 is one clause in two passages.
    assert counts == {"mini-res": (8, 9), "mini-report": (6, 6)}


def test_outline_in_document_order_with_pieces(mini_retriever: HybridRetriever) -> None:
    detail = document_detail(mini_retriever, "mini-res")
    ids = [e.id for e in detail.outline]
    assert ids[:3] == ["mini-res:title", "mini-res:preamble-1", "mini-res:para-1"]
    assert ids[-2:] == ["mini-res:para-4", "mini-res:para-4~2"]
    last = detail.outline[-1]
    assert (last.anchor, last.piece, last.pieces, last.label) == ("para-4", 2, 2, "A/RES/99/7, para. 4")
    assert all(e.text is None for e in detail.outline)


def test_outline_with_text_quotes_each_passage(mini_retriever: HybridRetriever) -> None:
    outline = document_detail(mini_retriever, "mini-report", with_text=True).outline
    assert [e.text for e in outline] == [p.text for p in mini_retriever.passages if p.doc_id == "mini-report"]


def test_first_words_in_english_and_chinese() -> None:
    assert first_words("one two three four five", n=3) == "one two three …"
    assert first_words("one two three", n=3) == "one two three"
    assert first_words("国际电联继续推动缩小数字鸿沟", n=2) == "国际电联继续…"


def test_unknown_document_is_not_found(mini_retriever: HybridRetriever) -> None:
    with pytest.raises(NotFoundError, match="no document 'gdc' in the index"):
        document_detail(mini_retriever, "gdc")


def test_passage_with_its_neighbours(mini_retriever: HybridRetriever) -> None:
    detail = passage_detail(mini_retriever, "mini-report:s1-p2", 1)
    assert detail.citation.label == "C99/12, 第1节第2段"
    assert [p.id for p in detail.before] == ["mini-report:s1-p1"]
    assert [p.id for p in detail.after] == ["mini-report:s2-p1"]
    with pytest.raises(NotFoundError):
        passage_detail(mini_retriever, "mini-report:s9-p9", 1)
