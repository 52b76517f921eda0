"""Dev-set quality of the default retrieval (eval harness, README rules), with floors a few
points under the measurement in BENCHMARKS.md (R@10 0.925 and MRR@10 0.709 overall,
R@10 0.958 cross-lingual)."""

from __future__ import annotations

from pathlib import Path

from wsis_rag.eval.harness import evaluate_retriever
from wsis_rag.eval.metrics import ALL, CROSS_LINGUAL
from wsis_rag.eval.questions import load_questions
from wsis_rag.index.retriever import HybridRetriever


def test_default_hybrid_meets_the_floors_and_beats_each_signal(retriever: HybridRetriever, dev_set: Path) -> None:
    questions = load_questions(dev_set)
    configs = [*retriever.available_signals, "hybrid"]
    evaluation = evaluate_retriever(retriever, questions, configs=configs).evaluation
    overall, crossing = evaluation.means(ALL), evaluation.means(CROSS_LINGUAL)
    hybrid = overall["hybrid"]
    assert hybrid["recall@10"] >= 0.89, overall
    assert hybrid["mrr@10"] >= 0.66, overall
    assert crossing["hybrid"]["recall@10"] >= 0.90, crossing
    for signal in retriever.available_signals:
        assert hybrid["recall@10"] > overall[signal]["recall@10"], signal
