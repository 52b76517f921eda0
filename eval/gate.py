"""The regression gate: the default configuration on the dev set must stay above these
floors (tests/test_eval_gate.py runs it with every test run). Set a few points under the
measured scores; raise them when retrieval improves, never lower them to pass.

Measured 2026-11-28 23:08 UTC (hybrid BM25 + e5 at commit 325fcea, dev.jsonl, 40 queries;
the same in-process and through `wsis serve`): R@5 0.792, R@10 0.925, MRR@10 0.684,
nDCG@10 0.721.
"""

from __future__ import annotations

from .metrics import METRIC_LABELS, Evaluation
from .systems import DEFAULT_CONFIG

FLOORS: dict[str, float] = {"recall@5": 0.75, "recall@10": 0.88, "mrr@10": 0.64, "ndcg@10": 0.68}


def gate_failures(evaluation: Evaluation, config: str = DEFAULT_CONFIG) -> list[str]:
    """One line per metric of `config` that fell below its floor (empty = the gate passes)."""
    scores = evaluation.means()[config]
    return [
        f"{config} {METRIC_LABELS[m]} {scores[m]:.3f} < floor {floor:.2f}"
        for m, floor in FLOORS.items()
        if scores[m] < floor
    ]
