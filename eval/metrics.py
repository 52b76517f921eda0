"""Scores with ranx: Recall@5, Recall@10, MRR@10, nDCG@10 per query, macro-averaged over
the whole set and over slices (by kind, by query language, cross-lingual), and a paired
significance test between configurations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.errors import InvalidRequestError
from ..corpus.manifest import load_manifest
from .questions import Question
from .relevance import JudgedRun, judge_run, qrels_for
from .runs import Run

METRICS = ("recall@5", "recall@10", "mrr@10", "ndcg@10")
METRIC_LABELS = {"recall@5": "R@5", "recall@10": "R@10", "mrr@10": "MRR@10", "ndcg@10": "nDCG@10"}
ALL = "all"
CROSS_LINGUAL = "cross-lingual"
SIGNIFICANCE_LEVEL = 0.05


@dataclass
class ConfigScores:
    """One configuration's per-query scores: metric -> query id -> score."""

    name: str
    per_query: dict[str, dict[str, float]]
    shared_ranks: dict[str, list[int]] = field(default_factory=dict)

    def mean(self, metric: str, query_ids: Sequence[str]) -> float:
        return sum(self.per_query[metric][q] for q in query_ids) / len(query_ids) if query_ids else 0.0


@dataclass
class Evaluation:
    configs: list[ConfigScores]
    slices: dict[str, list[str]]  # slice name -> query ids, "all" first
    p_values: dict[str, dict[str, dict[str, float | None]]]  # a -> b -> metric -> paired-test p
    stat_test: str = "student"

    def means(self, slice_name: str = ALL) -> dict[str, dict[str, float]]:
        ids = self.slices[slice_name]
        return {c.name: {m: c.mean(m, ids) for m in METRICS} for c in self.configs}

    def significantly_better(self, a: str, b: str, metric: str) -> bool:
        p = self.p_values.get(a, {}).get(b, {}).get(metric)
        scores = self.means()
        return p is not None and p < SIGNIFICANCE_LEVEL and scores[a][metric] > scores[b][metric]

    def as_json(self) -> dict[str, object]:
        return {
            "metrics": list(METRICS),
            "stat_test": self.stat_test,
            "significance_level": SIGNIFICANCE_LEVEL,
            "slices": {name: {"queries": len(ids), "scores": self.means(name)} for name, ids in self.slices.items()},
            "p_values": self.p_values,
            "per_query": {c.name: c.per_query for c in self.configs},
            "shared_ranks": {c.name: c.shared_ranks for c in self.configs if c.shared_ranks},
        }


def cross_lingual(question: Question) -> bool:
    """The README's cross-lingual slice: an English question with evidence in a document in
    another language (the Chinese Council report)."""
    if question.lang != "en":
        return False
    manifest = load_manifest()
    entries = (manifest.resolve(item.doc) for item in question.relevant)
    return any(entry is not None and entry.meta.lang != "en" for entry in entries)


def slices(questions: Sequence[Question]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {ALL: [q.id for q in questions]}
    for prefix, key in (("kind", lambda q: q.kind), ("lang", lambda q: q.lang)):
        for value in sorted({key(q) for q in questions}):
            groups[f"{prefix}:{value}"] = [q.id for q in questions if key(q) == value]
    groups[CROSS_LINGUAL] = [q.id for q in questions if cross_lingual(q)]
    return groups


def evaluate(questions: Sequence[Question], runs: Sequence[Run], k: int = 10, stat_test: str = "student") -> Evaluation:
    """Judge each run against the gold snippets and score it with ranx; with two or more
    runs, a paired test (`student` t-test or `fisher` randomisation) between every pair."""
    from ranx import Qrels, compare
    from ranx import Run as RanxRun
    from ranx import evaluate as ranx_evaluate

    if len({run.name for run in runs}) != len(runs):
        raise InvalidRequestError(f"run names must be unique, got {[run.name for run in runs]}")
    qrels = Qrels(qrels_for(questions))
    judged: list[JudgedRun] = [judge_run(questions, run, k) for run in runs]
    ranx_runs = [RanxRun(j.ranking, name=j.name) for j in judged]
    configs = []
    for j, ranx_run in zip(judged, ranx_runs, strict=True):
        ranx_evaluate(qrels, ranx_run, list(METRICS), make_comparable=True)
        per_query = {m: {q.id: float(ranx_run.scores[m][q.id]) for q in questions} for m in METRICS}
        configs.append(ConfigScores(name=j.name, per_query=per_query, shared_ranks=j.shared_ranks))
    p_values: dict[str, dict[str, dict[str, float | None]]] = {}
    if len(ranx_runs) > 1:
        report = compare(
            qrels, ranx_runs, list(METRICS), stat_test=stat_test, max_p=SIGNIFICANCE_LEVEL, make_comparable=True
        )
        table = report.to_dict()
        p_values = {
            a: {b: {m: _finite(p) for m, p in table[a]["comparisons"][b].items()} for b in table[a]["comparisons"]}
            for a in report.model_names
        }
    return Evaluation(configs=configs, slices=slices(questions), p_values=p_values, stat_test=stat_test)


def _finite(p: float) -> float | None:
    # Identical per-query scores give the t-test no variance: no p-value, not a win.
    return None if p is None or math.isnan(p) else float(p)
