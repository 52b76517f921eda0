"""Weighted RRF and the fused search over the mini-corpus: ranks, per-signal evidence,
weights by language, the document boost and the errors of a bad request."""

from __future__ import annotations

import multiprocessing
from typing import Any

import numpy as np
import pytest

from wsis_rag.core.errors import InvalidRequestError
from wsis_rag.core.vocabulary import DocumentMeta, Passage
from wsis_rag.index.results import Filters
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.search.fusion import RRF_K, weighted_rrf
from wsis_rag.index.store.builder import build_retriever


def test_rrf_sums_weight_over_rank_across_signals() -> None:
    fused = weighted_rrf({"a": [7, 8], "b": [8]}, lambda signal, item: 2.0 if signal == "a" else 1.0)
    assert fused[7] == pytest.approx(2.0 / (RRF_K + 1))
    assert fused[8] == pytest.approx(2.0 / (RRF_K + 2) + 1.0 / (RRF_K + 1))
    assert fused[8] > fused[7]  # found by both signals beats found first by one


def test_rrf_weight_may_depend_on_the_item() -> None:
    fused = weighted_rrf({"a": [1, 2]}, lambda signal, item: 0.0 if item == 1 else 1.0)
    assert fused[1] == 0.0 and fused[2] == pytest.approx(1.0 / (RRF_K + 2))


def test_hits_are_ranked_with_each_signals_rank(mini_retriever: HybridRetriever) -> None:
    hits = mini_retriever.search("meaningful connectivity for schools", k=4)
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].passage.id == "mini-res:para-3-b"
    assert hits[0].signals == {"bm25": 1, "hash": 1}
    # The score is exactly the weighted RRF of the ranks it records (bm25 weighs 2, hash 1).
    assert hits[0].score == pytest.approx(2.0 / (RRF_K + 1) + 1.0 / (RRF_K + 1))


def test_a_signal_left_out_leaves_no_trace(mini_retriever: HybridRetriever) -> None:
    hits = mini_retriever.with_signals(["bm25"]).search("meaningful connectivity for schools", k=3)
    assert all(set(h.signals) == {"bm25"} for h in hits)


def test_cross_lingual_weight_applies_to_passages_in_another_language(mini_retriever: HybridRetriever) -> None:
    query = "artificial intelligence governance"
    plain = {h.passage.id: h for h in mini_retriever.search(query, k=20)}
    muted = {
        h.passage.id: h
        for h in mini_retriever.with_fusion(cross_lingual={"bm25": 0.0, "hash": 0.0}).search(query, k=20)
    }
    chinese = [pid for pid in plain if pid.startswith("mini-report:")]
    assert chinese, "the termbase should carry the English query to the Chinese report"
    assert all(pid not in muted or muted[pid].score == 0.0 for pid in chinese)
    english = "mini-res:para-4"
    assert muted[english].score == pytest.approx(plain[english].score)


def test_document_boost_multiplies_the_named_documents_passages(mini_retriever: HybridRetriever) -> None:
    query = "Council report digital divide"
    plain = {h.passage.id: h.score for h in mini_retriever.with_fusion(document_boost=0.0).search(query, k=20)}
    boosted = {h.passage.id: h.score for h in mini_retriever.with_fusion(document_boost=0.4).search(query, k=20)}
    assert boosted["mini-report:s1-p1"] == pytest.approx(plain["mini-report:s1-p1"] * 1.4)
    assert boosted["mini-res:para-2"] == pytest.approx(plain["mini-res:para-2"])


def test_a_clause_citing_the_named_document_gets_half_the_boost(mini_retriever: HybridRetriever) -> None:
    # s1-p2 of the report cites A/RES/99/7 by symbol.
    query = "A/RES/99/7 implementation"
    plain = {h.passage.id: h.score for h in mini_retriever.with_fusion(document_boost=0.0).search(query, k=20)}
    boosted = {h.passage.id: h.score for h in mini_retriever.with_fusion(document_boost=0.4).search(query, k=20)}
    assert boosted["mini-report:s1-p2"] == pytest.approx(plain["mini-report:s1-p2"] * 1.2)
    assert boosted["mini-res:para-1"] == pytest.approx(plain["mini-res:para-1"] * 1.4)
    assert boosted["mini-report:s1-p1"] == pytest.approx(plain["mini-report:s1-p1"])


@pytest.mark.parametrize(
    ("query", "k", "message"), [("   ", 5, "the query is empty"), ("digital divide", 0, "k must be at least 1")]
)
def test_bad_requests_say_what_is_wrong(mini_retriever: HybridRetriever, query: str, k: int, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        mini_retriever.search(query, k=k)


def test_unknown_signal_names_the_available_ones(mini_retriever: HybridRetriever) -> None:
    with pytest.raises(InvalidRequestError, match=r"unknown signals \['colbert'\]; this index has \['bm25', 'hash'\]"):
        mini_retriever.with_signals(["colbert"])


@pytest.fixture(scope="module")
def two_dense(
    mini_passages: list[Passage], mini_documents: list[DocumentMeta], hashing_embedder: Any
) -> HybridRetriever:
    """BM25 and two hashing encoders: the first dense signal's vector search runs on the
    pool while the second embeds."""
    encoders = {"hash": hashing_embedder, "hash2": type(hashing_embedder)(dim=128)}
    return build_retriever(mini_passages, mini_documents, encoders).with_signals(["bm25", "hash", "hash2"])


def test_every_dense_signal_is_searched_and_ranked_as_alone(two_dense: HybridRetriever) -> None:
    query = "meaningful connectivity for schools"
    hits = two_dense.search(query, k=5)
    texts = two_dense.analyse_query(query).encoder_texts
    for signal in ("hash", "hash2"):
        vector = two_dense.encoder(signal).embed_queries([texts[signal]])[0]
        alone, _ = two_dense.vectors[signal].search(vector, two_dense.fusion.depth)
        rank_of = {int(row): rank for rank, row in enumerate(alone, start=1)}
        row_of = {p.id: i for i, p in enumerate(two_dense.passages)}
        assert [h.signals[signal] for h in hits] == [rank_of[row_of[h.passage.id]] for h in hits]


def _search_in_child(retriever: HybridRetriever, query: str, out: Any) -> None:
    out.put([h.passage.id for h in retriever.search(query, k=5)])


def test_a_forked_child_searches_with_a_pool_of_its_own(two_dense: HybridRetriever) -> None:
    # The parent's pool threads do not exist in a forked child: reusing its pool would
    # leave the child's first dense search waiting for ever.
    query = "meaningful connectivity for schools"
    expected = [h.passage.id for h in two_dense.search(query, k=5)]  # the parent's pool has started
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_search_in_child, args=(two_dense, query, out))
    child.start()
    try:
        assert out.get(timeout=30) == expected
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()


def test_the_focus_round_ranks_the_first_documents_clauses_among_themselves(mini_retriever: HybridRetriever) -> None:
    # Feedback off in both searches: a filtered search would take its feedback terms from
    # its own dense lists, the focus round reuses the first round's.
    plain = mini_retriever.with_fusion(feedback_terms=0, focus_documents=0)
    focused = plain.with_fusion(focus_documents=1, focus_per_signal=0)
    query = "digital divide in the least developed countries"
    timings: dict[str, float] = {}
    hits = focused.search(query, k=20, timings=timings)
    assert "focus" in timings
    first = hits[0].passage.doc_id
    alone = {h.passage.id: h for h in plain.search(query, k=20, filters=Filters(doc=[first]))}
    everywhere = {h.passage.id: h for h in plain.search(query, k=20)}
    mine = [h for h in hits if h.passage.doc_id == first]
    others = [h for h in hits if h.passage.doc_id != first]
    assert mine and others
    for hit in mine:  # scored exactly as if the index held that document alone
        assert hit.score == pytest.approx(alone[hit.passage.id].score)
        assert hit.signals == alone[hit.passage.id].signals
    assert any(hit.score > everywhere[hit.passage.id].score for hit in mine)
    for hit in others:  # the other documents keep their first-round scores
        assert hit.score == pytest.approx(everywhere[hit.passage.id].score)


@pytest.mark.parametrize("weight", [0.6, 1.0])
def test_the_named_round_lifts_the_named_documents_clauses_ranked_among_themselves(
    trio_retriever: HybridRetriever, weight: float
) -> None:
    # The focus takes the named resolution and the first other document (the follow-up,
    # which recalls it in every clause): the named round then ranks the resolution alone.
    plain = trio_retriever.with_fusion(feedback_terms=0, focus_documents=1, focus_per_signal=0, named_weight=0)
    query = "What does resolution 99/7 decide on the Internet Governance Forum?"
    timings: dict[str, float] = {}
    hits = plain.with_fusion(named_weight=weight).search(query, k=20, timings=timings)
    assert "named" in timings
    before = {h.passage.id: h for h in plain.search(query, k=20)}
    assert {h.passage.doc_id for h in before.values()} >= {"mini-res", "mini-follow-up"}
    unfocused = plain.with_fusion(focus_documents=0)
    alone = {h.passage.id: h for h in unfocused.search(query, k=20, filters=Filters(doc=["mini-res"]))}
    lifted = 0
    for hit in hits:
        if hit.passage.doc_id != "mini-res":  # the other documents keep their scores
            assert hit.score == pytest.approx(before[hit.passage.id].score)
            continue
        own = weight * alone[hit.passage.id].score
        assert hit.score == pytest.approx(max(own, before[hit.passage.id].score))
        assert hit.signals == alone[hit.passage.id].signals  # the ranks among its own clauses
        lifted += own > before[hit.passage.id].score
    if weight == 1.0:  # within the focus of two documents its clauses ranked lower than alone
        assert lifted
    # No named round when nothing is named, or when there is no focus round (it would take
    # all three documents).
    for question, focus in (("the Internet Governance Forum", 1), (query, 2)):
        timings = {}
        plain.with_fusion(named_weight=weight, focus_documents=focus).search(question, k=5, timings=timings)
        assert "named" not in timings


@pytest.mark.parametrize(
    "focus", [{"focus_documents": 2, "focus_per_signal": 0}, {"focus_documents": 1, "focus_per_signal": 20}]
)
def test_no_focus_round_when_the_focus_is_every_document(
    mini_retriever: HybridRetriever, focus: dict[str, int]
) -> None:
    # The mini-corpus has two documents: the focus holds both when it takes two documents,
    # or one and those of each signal's top 20 rows (every signal ranks both documents').
    query = "digital divide in the least developed countries"
    plain = [
        (h.passage.id, h.score, h.signals) for h in mini_retriever.with_fusion(focus_documents=0).search(query, k=20)
    ]
    timings: dict[str, float] = {}
    focused = mini_retriever.with_fusion(**focus).search(query, k=20, timings=timings)
    assert [(h.passage.id, h.score, h.signals) for h in focused] == plain
    assert "focus" not in timings


def test_bm25_within_rows_weighs_tokens_by_their_idf_there(mini_retriever: HybridRetriever) -> None:
    lexical = mini_retriever.lexical
    tokens = mini_retriever.analyse_query("digital divide connectivity").bm25_tokens
    every = np.arange(lexical.size)
    rows, scores = lexical.search(list(tokens), [], 20, None)
    within_rows, within_scores = lexical.search_within(list(tokens), [], 20, every)
    assert within_rows.tolist() == rows.tolist()  # over every row its idf is the index's
    assert within_scores == pytest.approx(scores, rel=1e-5)
    some = np.sort(rows[:3])
    subset_rows, subset_scores = lexical.search_within(list(tokens), [], 20, some)
    assert set(subset_rows.tolist()) <= set(some.tolist())
    plain = dict(zip(*lexical.search(list(tokens), [], 20, some), strict=True))
    assert any(abs(subset_scores[i] - plain[row]) > 1e-6 for i, row in enumerate(subset_rows.tolist()))


def test_bm25_within_no_rows_finds_nothing(mini_retriever: HybridRetriever) -> None:
    rows, scores = mini_retriever.lexical.search_within(["digit"], [], 5, np.zeros(0, dtype=np.int64))
    assert len(rows) == 0 and len(scores) == 0
