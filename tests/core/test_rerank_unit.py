"""The rerank stage on the mini-corpus: it orders the first page only, keeps the clauses a
question references first, numbers the ranks again, and reads its model from a file that
may weigh only the features the code computes. The models here are written by the tests
(the shipped one is fitted on the real sets)."""

from __future__ import annotations

import numpy as np
import pytest

from wsis_rag.core.logistic import CalibrationError, LogisticModel
from wsis_rag.eval.logistic_fit import fit_logistic
from wsis_rag.index.api import Hit, HybridRetriever
from wsis_rag.index.search.rerank import (
    RERANK_DEPTH,
    RERANK_FEATURES,
    QueryFacts,
    candidate_features,
    load_rerank_model,
    page_of,
    parse_rerank_model,
    rerank,
)

# A model that prefers the lower places: it turns the page over.
LOWEST_FIRST = LogisticModel(0.0, {"reciprocal_rank": -1.0})


def _fused(retriever: HybridRetriever, query: str, k: int) -> list[Hit]:
    return retriever.search(query, k=k)  # the mini-corpus retriever has no rerank stage


def test_the_stage_orders_the_first_page_by_the_model_and_no_further(mini_retriever: HybridRetriever) -> None:
    query = "digital divide broadband connectivity for schools"
    _, facts = mini_retriever.rerank_candidates(query)
    assert facts is not None and facts.pinned == 0
    hits = _fused(mini_retriever, query, k=RERANK_DEPTH + 3)
    assert len(hits) > RERANK_DEPTH  # the mini-corpus fills more than one page
    ordered = rerank(hits, facts, LOWEST_FIRST)
    page = hits[:RERANK_DEPTH]
    assert [h.passage.id for h in ordered[:RERANK_DEPTH]] == [h.passage.id for h in reversed(page)]
    assert [h.passage.id for h in ordered[RERANK_DEPTH:]] == [h.passage.id for h in hits[RERANK_DEPTH:]]
    assert [h.rank for h in ordered] == list(range(1, len(hits) + 1))
    assert [h.score for h in ordered] == [h.score for h in hits]  # each place keeps its score


def test_a_referenced_clause_stays_first(mini_retriever: HybridRetriever) -> None:
    query = "What does paragraph 2 of A/RES/99/7 say about the digital divide?"
    hits, facts = mini_retriever.rerank_candidates(query)
    assert facts is not None and facts.pinned == 1 and hits[0].passage.id == "mini-res:para-2"
    ordered = rerank(hits, facts, LOWEST_FIRST)
    assert ordered[0].passage.id == "mini-res:para-2"
    assert [h.passage.id for h in ordered[1:]] == [h.passage.id for h in reversed(hits[1:RERANK_DEPTH])]
    assert page_of(hits, facts) == hits[1:RERANK_DEPTH]


def test_a_search_of_fewer_places_is_the_head_of_the_longer_one(mini_retriever: HybridRetriever) -> None:
    # The stage orders the same page whatever k is asked for.
    query = "人工智能治理 multi-stakeholder"
    reranked = mini_retriever.with_fusion(rerank=True)
    assert [h.passage.id for h in reranked.search(query, k=3)] == [
        h.passage.id for h in reranked.search(query, k=RERANK_DEPTH)[:3]
    ]


def test_features_say_what_the_question_and_the_page_share(mini_retriever: HybridRetriever) -> None:
    hits = _fused(mini_retriever, "broadband connectivity", k=4)
    facts = QueryFacts(
        "en",
        named=frozenset({"mini-res"}),
        titled=frozenset(),
        idf={"broadband": 2.0, "connect": 1.0},
        expansion_idf={},
    )
    features = candidate_features(hits, facts)
    assert [set(f) for f in features] == [set(RERANK_FEATURES)] * len(hits)
    for hit, f in zip(hits, features, strict=True):
        words = hit.passage.text.lower()
        expected_idf = (2.0 * ("broadband" in words) + 1.0 * ("connect" in words)) / 3.0
        assert f["idf_share"] == pytest.approx(expected_idf)
        assert f["named"] == float(hit.passage.doc_id == "mini-res")
        assert f["other_named"] == 1.0 - f["named"]
        assert f["same_language"] == float(hit.passage.lang == "en")
    assert features[0]["reciprocal_rank"] == 1.0 and features[0]["score_ratio"] == 1.0


def test_the_shipped_model_weighs_known_features_and_a_foreign_one_is_refused() -> None:
    model = load_rerank_model()
    assert model.weights and set(model.weights) <= set(RERANK_FEATURES)
    for name, weight in model.weights.items():  # each weight keeps its feature's sign
        assert RERANK_FEATURES[name] * weight >= 0
    with pytest.raises(CalibrationError, match="guesswork"):
        parse_rerank_model({"rerank": {"intercept": 0.0, "weights": {"guesswork": 1.0}}})
    with pytest.raises(CalibrationError, match=r"\[rerank\]"):
        parse_rerank_model({})


def test_the_fit_holds_each_weight_to_its_sign() -> None:
    # Labels that follow a feature against its sign: the fit may not learn the sign's opposite.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    free = fit_logistic(x, y, {"a": 0, "b": 0})
    assert free.weights["a"] > 0 > free.weights["b"]
    signed = fit_logistic(x, y, {"a": 1, "b": 1})
    assert signed.weights["a"] > 0 and signed.weights.get("b", 0.0) == 0.0
