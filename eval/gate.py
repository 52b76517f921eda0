"""The regression gate: the default configuration on the dev set must stay above these
floors (tests/test_eval_gate.py runs it with every test run). Set a few points under the
measured scores; raise them when retrieval improves, never lower them to pass.

Measured (2026-11-28, hybrid bm25+e5+minilm, 346 passages, dev.jsonl 40 queries):
R@5 0.669, R@10 0.785, MRR@10 0.576, nDCG@10 0.599.
"""

from __future__ import annotations

from wsis_rag.eval.metrics import METRIC_LABELS, Evaluation
from wsis_rag.eval.systems import DEFAULT_CONFIG

FLOORS: dict[str, float] = {"recall@5": 0.62, "recall@10": 0.74, "mrr@10": 0.53, "ndcg@10": 0.55}


def gate_failures(evaluation: Evaluation, config: str = DEFAULT_CONFIG) -> list[str]:
    """One line per metric of `config` that fell below its floor (empty = the gate passes)."""
    scores = evaluation.means()[config]
    return [
        f"{config} {METRIC_LABELS[m]} {scores[m]:.3f} < floor {floor:.2f}"
        for m, floor in FLOORS.items()
        if scores[m] < floor
    ]
