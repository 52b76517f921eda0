"""Filters restrict every signal to the same rows; a filter that matches nothing returns
nothing; an unknown document is a clear error."""

from __future__ import annotations

import pytest

from wsis_rag.core.errors import NotFoundError
from wsis_rag.core.vocabulary import DocType
from wsis_rag.index.results import Filters
from wsis_rag.index.retriever import HybridRetriever

QUERY = "digital divide connectivity"


@pytest.mark.parametrize(
    ("filters", "doc_ids"),
    [
        (Filters(lang=["zh"]), {"mini-report"}),
        (Filters(lang=["EN"]), {"mini-res"}),
        (Filters(doc=["mini-report"]), {"mini-report"}),
        (Filters(type=[DocType.RESOLUTION]), {"mini-res"}),
        (Filters(body=["itu council"]), {"mini-report"}),
        (Filters(year=[2025]), {"mini-res"}),
    ],
)
def test_every_signal_keeps_to_the_filter(mini_retriever: HybridRetriever, filters: Filters, doc_ids: set[str]) -> None:
    hits = mini_retriever.search(QUERY, k=20, filters=filters)
    assert hits and {h.passage.doc_id for h in hits} == doc_ids
    # Unfiltered, the same query reaches other documents too: the filter did the work.
    assert {h.passage.doc_id for h in mini_retriever.search(QUERY, k=20)} > doc_ids


def test_filters_combine_as_and(mini_retriever: HybridRetriever) -> None:
    assert mini_retriever.search(QUERY, k=20, filters=Filters(lang=["zh"], type=[DocType.RESOLUTION])) == []


def test_allowed_rows_are_the_matching_rows(mini_retriever: HybridRetriever) -> None:
    rows = mini_retriever.allowed_rows(Filters(lang=["zh"]))
    assert rows is not None
    assert [mini_retriever.passages[r].lang for r in rows] == ["zh"] * 6
    assert mini_retriever.allowed_rows(Filters()) is None


def test_unknown_document_names_the_known_ones(mini_retriever: HybridRetriever) -> None:
    with pytest.raises(NotFoundError, match=r"unknown document 'nope'; known: \['mini-report', 'mini-res'\]"):
        mini_retriever.search(QUERY, filters=Filters(doc=["nope"]))
