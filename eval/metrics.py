"""Scores with ranx: Recall@5, Recall@10, MRR@10, nDCG@10 per query, macro-averaged over
the whole set and over slices (by kind, by query language, cross-lingual both ways), with
95 % bootstrap confidence intervals, and paired tests between configurations."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from ..core.errors import InvalidRequestError
from ..corpus.manifest import load_manifest
from .questions import Question, require_evidence
from .relevance import JudgedRun, judge_run, qrels_for
from .runs import Run

METRICS = ("recall@5", "recall@10", "mrr@10", "ndcg@10")
METRIC_LABELS = {"recall@5": "R@5", "recall@10": "R@10", "mrr@10": "MRR@10", "ndcg@10": "nDCG@10"}
ALL = "all"
CROSS_LINGUAL = "cross-lingual"
CROSS_ZH_EN = "cross-lingual:zh>en"  # the other way: Chinese questions, evidence in English
SIGNIFICANCE_LEVEL = 0.05
# Paired bootstrap over questions: every configuration is resampled with the same question
# draws, so the interval of a difference reflects how often one beats the other per question.
BOOTSTRAP_RESAMPLES = 2_000
BOOTSTRAP_SEED = 20261201
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean (or a difference of means) with its bootstrap confidence interval."""

    value: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def as_json(self) -> list[float]:
        return [round(self.value, 4), round(self.low, 4), round(self.high, 4)]


def bootstrap_interval(
    scores: Sequence[float],
    baseline: Sequence[float] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    statistic: Callable[..., Any] = np.mean,
) -> Interval:
    """The `statistic` (the mean; any numpy reduction taking `axis`) of `scores`, minus that
    of `baseline` when given (paired by position: each draw takes the same positions of
    both), with its percentile interval over `resamples` draws of the questions with
    replacement. The same seed and the same number of questions give the same draws for
    every configuration."""
    values = np.asarray(scores, dtype=float)
    if values.size == 0:
        return Interval(0.0, 0.0, 0.0)
    others = None if baseline is None else np.asarray(baseline, dtype=float)
    draws = np.random.default_rng(seed).integers(0, values.size, size=(resamples, values.size))
    estimates = statistic(values[draws], axis=1)
    value = float(statistic(values))
    if others is not None:
        estimates = estimates - statistic(others[draws], axis=1)
        value -= float(statistic(others))
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(estimates, [tail, 100 - tail])
    return Interval(value, float(low), float(high))


@dataclass
class ConfigScores:
    """One configuration's per-query scores: metric -> query id -> score."""

    name: str
    per_query: dict[str, dict[str, float]]
    shared_ranks: dict[str, list[int]] = field(default_factory=dict)

    def mean(self, metric: str, query_ids: Sequence[str]) -> float:
        return sum(self.per_query[metric][q] for q in query_ids) / len(query_ids) if query_ids else 0.0

    def scores(self, metric: str, query_ids: Sequence[str]) -> list[float]:
        return [self.per_query[metric][q] for q in query_ids]


@dataclass
class Evaluation:
    configs: list[ConfigScores]
    slices: dict[str, list[str]]  # slice name -> query ids, "all" first
    p_values: dict[str, dict[str, dict[str, float | None]]]  # a -> b -> metric -> paired-test p
    stat_test: str = "student"
    baseline: str | None = None  # differences are reported against it (default: the first config)

    def __post_init__(self) -> None:
        names = [c.name for c in self.configs]
        if self.baseline is None and names:
            self.baseline = names[0]
        elif self.baseline is not None and self.baseline not in names:
            raise InvalidRequestError(f"baseline {self.baseline!r} is not among the configurations {names}")

    def means(self, slice_name: str = ALL) -> dict[str, dict[str, float]]:
        ids = self.slices[slice_name]
        return {c.name: {m: c.mean(m, ids) for m in METRICS} for c in self.configs}

    def config(self, name: str) -> ConfigScores:
        return next(c for c in self.configs if c.name == name)

    def interval(self, name: str, metric: str, slice_name: str = ALL) -> Interval:
        """The mean of `metric` over a slice with its 95 % bootstrap interval."""
        return bootstrap_interval(self.config(name).scores(metric, self.slices[slice_name]))

    def difference(self, name: str, metric: str, slice_name: str = ALL) -> Interval:
        """`name` minus the baseline on a slice, with the paired bootstrap interval of the
        difference; a difference is real only when `excludes_zero`."""
        assert self.baseline is not None
        ids = self.slices[slice_name]
        return bootstrap_interval(self.config(name).scores(metric, ids), self.config(self.baseline).scores(metric, ids))

    def intervals_json(self) -> dict[str, object]:
        return {
            slice_name: {
                c.name: {
                    m: {
                        "mean": self.interval(c.name, m, slice_name).as_json(),
                        "vs_baseline": self.difference(c.name, m, slice_name).as_json(),
                    }
                    for m in METRICS
                }
                for c in self.configs
            }
            for slice_name, ids in self.slices.items()
            if ids
        }

    def significantly_better(self, a: str, b: str, metric: str) -> bool:
        p = self.p_values.get(a, {}).get(b, {}).get(metric)
        scores = self.means()
        return p is not None and p < SIGNIFICANCE_LEVEL and scores[a][metric] > scores[b][metric]

    def as_json(self) -> dict[str, object]:
        return {
            "metrics": list(METRICS),
            "stat_test": self.stat_test,
            "significance_level": SIGNIFICANCE_LEVEL,
            "baseline": self.baseline,
            "bootstrap": {"resamples": BOOTSTRAP_RESAMPLES, "seed": BOOTSTRAP_SEED, "confidence": CONFIDENCE},
            "intervals": self.intervals_json(),
            "slices": {name: {"queries": len(ids), "scores": self.means(name)} for name, ids in self.slices.items()},
            "p_values": self.p_values,
            "per_query": {c.name: c.per_query for c in self.configs},
            "shared_ranks": {c.name: c.shared_ranks for c in self.configs if c.shared_ranks},
        }


def evidence_languages(question: Question) -> set[str]:
    """Languages of the documents holding the question's gold evidence (documents the
    manifest does not know, e.g. of an added collection, count as English)."""
    manifest = load_manifest()
    entries = (manifest.resolve(item.doc) for item in question.relevant)
    return {entry.meta.lang if entry is not None else "en" for entry in entries}


def cross_lingual(question: Question) -> bool:
    """The README's cross-lingual slice: an English question with evidence in a document in
    another language (the Chinese Council report)."""
    return question.lang == "en" and any(lang != "en" for lang in evidence_languages(question))


def cross_zh_en(question: Question) -> bool:
    """The other way: a Chinese question with evidence in an English document."""
    return question.lang == "zh" and "en" in evidence_languages(question)


def slices(questions: Sequence[Question]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {ALL: [q.id for q in questions]}
    for prefix, key in (("kind", lambda q: q.kind), ("lang", lambda q: q.lang)):
        for value in sorted({key(q) for q in questions}):
            groups[f"{prefix}:{value}"] = [q.id for q in questions if key(q) == value]
    groups[CROSS_LINGUAL] = [q.id for q in questions if cross_lingual(q)]
    groups[CROSS_ZH_EN] = [q.id for q in questions if cross_zh_en(q)]
    return groups


def evaluate(
    questions: Sequence[Question],
    runs: Sequence[Run],
    k: int = 10,
    stat_test: str = "student",
    baseline: str | None = None,
) -> Evaluation:
    """Judge each run against the gold snippets and score it with ranx; with two or more
    runs, a paired test (`student` t-test or `fisher` randomisation) between every pair.
    Bootstrap intervals of differences are taken against `baseline` (default: the first run)."""
    require_evidence(questions)
    if len({run.name for run in runs}) != len(runs):
        raise InvalidRequestError(f"run names must be unique, got {[run.name for run in runs]}")
    judged: list[JudgedRun] = [judge_run(questions, run, k) for run in runs]
    configs = []
    p_values: dict[str, dict[str, dict[str, float | None]]] = {}
    with _ranx(interpreted=stat_test != "fisher") as ranx:
        qrels = ranx.Qrels(qrels_for(questions))
        ranx_runs = [ranx.Run(j.ranking, name=j.name) for j in judged]
        for j, ranx_run in zip(judged, ranx_runs, strict=True):
            ranx.evaluate(qrels, ranx_run, list(METRICS), make_comparable=True)
            per_query = {m: {q.id: float(ranx_run.scores[m][q.id]) for q in questions} for m in METRICS}
            configs.append(ConfigScores(name=j.name, per_query=per_query, shared_ranks=j.shared_ranks))
        if len(ranx_runs) > 1:
            report = ranx.compare(
                qrels, ranx_runs, list(METRICS), stat_test=stat_test, max_p=SIGNIFICANCE_LEVEL, make_comparable=True
            )
            table = report.to_dict()
            p_values = {
                a: {b: {m: _finite(p) for m, p in table[a]["comparisons"][b].items()} for b in table[a]["comparisons"]}
                for a in report.model_names
            }
    return Evaluation(
        configs=configs, slices=slices(questions), p_values=p_values, stat_test=stat_test, baseline=baseline
    )


# How ranx was first imported in this process: numba decorates its functions then, for good.
_ranx_interpreted: bool | None = None


@contextmanager
def _ranx(interpreted: bool) -> Iterator[ModuleType]:
    """ranx, with its numba kernels run as plain Python (`interpreted`) or compiled. Compiled,
    they cost minutes on the first run of every fresh install (and on every run where numba
    cannot write its cache); plain, the metrics and the paired t-test take a second or less
    on a judged set of a thousand questions, but Fisher's randomisation test ten times what
    it does compiled (docs/decisions/eval-ranx-interpreted.md). numba reads the switch when
    ranx's functions are decorated, at its first import, and whenever ranx makes a typed
    list: it stays as the first import set it."""
    global _ranx_interpreted
    import numba

    config: Any = numba.config  # its settings are made at run time: no type knows them
    if _ranx_interpreted is None:
        _ranx_interpreted = interpreted
    jit_was_off = config.DISABLE_JIT
    config.DISABLE_JIT = _ranx_interpreted
    try:
        import ranx

        yield ranx
    finally:
        config.DISABLE_JIT = jit_was_off


def _finite(p: float) -> float | None:
    # Identical per-query scores give the t-test no variance: no p-value, not a win.
    return None if p is None or math.isnan(p) else float(p)
