"""Dev-set quality of the default retrieval (eval harness, README rules): above the floors
of eval/floors.toml (the regression gate's table), and better than each signal alone."""

from __future__ import annotations

from pathlib import Path

from wsis_rag.eval.gate import gate_failures
from wsis_rag.eval.harness import evaluate_retriever
from wsis_rag.eval.metrics import ALL
from wsis_rag.eval.questions import load_questions
from wsis_rag.index.retriever import HybridRetriever


def test_default_hybrid_meets_the_floors_and_beats_each_signal(retriever: HybridRetriever, dev_set: Path) -> None:
    questions = load_questions(dev_set)
    configs = [*retriever.available_signals, "hybrid"]
    evaluation = evaluate_retriever(retriever, questions, configs=configs).evaluation
    assert not gate_failures(evaluation, "hybrid"), gate_failures(evaluation, "hybrid")
    overall = evaluation.means(ALL)
    # No signal alone finds more, and none ranks what it finds as high (BM25 alone reaches
    # the hybrid's dev Recall@10 since the named-document priors, with a lower MRR@10).
    for signal in retriever.available_signals:
        assert overall["hybrid"]["recall@10"] >= overall[signal]["recall@10"], signal
        assert overall["hybrid"]["mrr@10"] > overall[signal]["mrr@10"], signal
