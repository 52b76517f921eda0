"""The regression gate: the default configuration on the dev set must stay above these
floors (tests/test_eval_gate.py runs it with every test run). Set a few points under the
measured scores; raise them when retrieval improves, never lower them to pass.

Measured 2026-11-28 23:00 UTC (hybrid BM25 + e5 as tuned in commit 8918970, dev.jsonl,
40 queries): R@5 0.760, R@10 0.925, MRR@10 0.647, nDCG@10 0.694.
"""

from __future__ import annotations

from wsis_rag.eval.metrics import METRIC_LABELS, Evaluation
from wsis_rag.eval.systems import DEFAULT_CONFIG

FLOORS: dict[str, float] = {"recall@5": 0.72, "recall@10": 0.88, "mrr@10": 0.60, "ndcg@10": 0.65}


def gate_failures(evaluation: Evaluation, config: str = DEFAULT_CONFIG) -> list[str]:
    """One line per metric of `config` that fell below its floor (empty = the gate passes)."""
    scores = evaluation.means()[config]
    return [
        f"{config} {METRIC_LABELS[m]} {scores[m]:.3f} < floor {floor:.2f}"
        for m, floor in FLOORS.items()
        if scores[m] < floor
    ]
