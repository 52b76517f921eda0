"""Filters restrict every signal to the same candidate set."""

from __future__ import annotations

import pytest

from wsis_rag.core.errors import InvalidRequestError, NotFoundError
from wsis_rag.core.vocabulary import DocType, Passage
from wsis_rag.index.results import Filters, search_response
from wsis_rag.index.retriever import HybridRetriever

QUERY = "role of ITU in WSIS follow-up and the Global Digital Compact"

CASES = [
    (Filters(doc=["GDC"]), lambda p: p.doc_id == "gdc"),
    (
        Filters(doc=["A/RES/80/173", "council-report-2026"]),
        lambda p: p.doc_id in {"a-res-80-173", "council-report-2026"},
    ),
    (Filters(lang=["zh"]), lambda p: p.lang == "zh"),
    (Filters(type=[DocType.REPORT]), lambda p: p.doc_type == DocType.REPORT),
    (Filters(body=["UN General Assembly"]), lambda p: p.body == "UN General Assembly"),
    (Filters(year=[2024]), lambda p: p.year == 2024),
    (Filters(lang=["en"], year=[2025]), lambda p: p.lang == "en" and p.year == 2025),
]


@pytest.mark.parametrize(("filters", "keep"), CASES)
def test_every_signal_searches_the_same_allowed_set(retriever: HybridRetriever, filters: Filters, keep) -> None:  # type: ignore[no-untyped-def]
    allowed = retriever.allowed_rows(filters)
    assert allowed is not None
    expected = {i for i, p in enumerate(retriever.passages) if keep(p)}
    assert set(allowed.tolist()) == expected and expected
    k = len(expected)  # ask for everything: each signal must rank within exactly the allowed set
    # Every passage on its own: grouping would show near-identical clauses (the GDC's
    # repeated footnotes) once, under also_in.
    ungrouped = retriever.with_fusion(group_duplicates=False)
    for signal in retriever.available_signals:
        hits = ungrouped.with_signals([signal]).search(QUERY, k=k, filters=filters)
        assert hits and all(keep(h.passage) for h in hits), signal
        if signal != "bm25":  # dense signals rank every allowed passage
            assert {h.passage.id for h in hits} == {retriever.passages[i].id for i in expected}, signal
    fused = retriever.search(QUERY, k=10, filters=filters)
    assert fused and all(keep(h.passage) for h in fused)


def test_filter_with_no_match_gives_no_results(retriever: HybridRetriever) -> None:
    assert retriever.search(QUERY, filters=Filters(year=[1999])) == []


def test_unknown_document_is_a_clear_error(retriever: HybridRetriever) -> None:
    with pytest.raises(NotFoundError, match="unknown document 'A/RES/99/999'"):
        retriever.search(QUERY, filters=Filters(doc=["A/RES/99/999"]))


def test_bad_queries_are_clear_errors(retriever: HybridRetriever) -> None:
    with pytest.raises(InvalidRequestError, match="empty"):
        retriever.search("   ")
    with pytest.raises(InvalidRequestError, match="k must be"):
        retriever.search(QUERY, k=0)
    with pytest.raises(InvalidRequestError, match="unknown signals"):
        retriever.with_signals(["bm99"])


def test_hits_report_the_rank_each_signal_gave(retriever: HybridRetriever) -> None:
    hits = retriever.search(QUERY, k=10)
    assert [h.rank for h in hits] == list(range(1, 11))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.signals and set(h.signals) <= set(retriever.signals) for h in hits)


def test_lookup_and_neighbours(retriever: HybridRetriever) -> None:
    middle: Passage = retriever.get("a-res-80-173:para-121")
    around = retriever.neighbours(middle.id, n=2)
    assert middle in around and len(around) == 5
    assert [p.order for p in around] == list(range(middle.order - 2, middle.order + 3))
    assert {p.doc_id for p in around} == {"a-res-80-173"}
    with pytest.raises(NotFoundError):
        retriever.get("a-res-80-173:para-999")


def test_search_response_is_the_api_body(retriever: HybridRetriever) -> None:
    body = search_response(retriever, "GDC para 71", k=3, filters=None).model_dump(mode="json")
    assert set(body) == {"query", "results", "missing_documents", "missing_clauses", "took_ms"}
    assert body["missing_documents"] == []  # every document the query names is indexed
    assert body["missing_clauses"] == []  # and the GDC has a para. 71
    first = body["results"][0]
    assert set(first) == {
        "rank",
        "score",
        "id",
        "text",
        "citation",
        "lang",
        "heading",
        "matched_terms",
        "also_in",
        "also_in_total",
    }
    assert first["id"] == "gdc:para-71" and first["text"].startswith("71")
    assert set(first["citation"]) == {"doc_id", "symbol", "title", "locator", "label", "url", "page"}
