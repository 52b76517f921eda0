"""One call per mode: score configurations of a retriever in-process, or a running service
over HTTP. The CLI and the regression gate are thin layers over these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import InvalidRequestError
from .metrics import Evaluation, evaluate
from .questions import Question, require_evidence
from .relevance import check_snippets, judge_run, qrels_for
from .runs import Run, write_trec_qrels, write_trec_ranking, write_trec_run
from .systems import Advance, configure, default_configs, run_in_process, run_over_http

if TYPE_CHECKING:
    from ..index.api import HybridRetriever


@dataclass
class Outcome:
    evaluation: Evaluation
    runs: list[Run]
    k: int


def evaluate_retriever(
    retriever: HybridRetriever,
    questions: Sequence[Question],
    configs: Sequence[str] | None = None,
    k: int = 10,
    advance: Advance | None = None,
    stat_test: str = "student",
    other_runs: Sequence[Run] = (),
    baseline: str | None = None,
) -> Outcome:
    """Score each configuration (default: BM25, each encoder, the hybrid and its variants),
    side by side with `other_runs` (e.g. TREC runs of other systems over this index).
    Differences are reported against `baseline` (default: the first configuration).
    Raises `UnmatchedSnippetError` first if a gold snippet is in no indexed passage."""
    require_evidence(questions)
    check_snippets(questions, (p.text for p in retriever.passages))
    names = list(configs) if configs else default_configs(retriever)
    systems = {name: configure(retriever, name) for name in names}  # unknown names fail before any search
    runs = [run_in_process(system, questions, name, k, advance) for name, system in systems.items()]
    runs += other_runs
    if baseline is not None and baseline not in {run.name for run in runs}:
        raise InvalidRequestError(f"baseline {baseline!r} is not among the configurations {[r.name for r in runs]}")
    return Outcome(evaluate(questions, runs, k, stat_test, baseline), runs, k)


def evaluate_service(
    base_url: str, questions: Sequence[Question], name: str, k: int = 10, advance: Advance | None = None
) -> Outcome:
    """Score a running service through `GET /search` (one configuration: whatever it serves)."""
    require_evidence(questions)
    run = run_over_http(base_url, questions, name, k, advance)
    return Outcome(evaluate(questions, [run], k), [run], k)


def write_trec_files(outcome: Outcome, questions: Sequence[Question], out_dir: Path) -> list[Path]:
    """For other IR tools: `qrels.txt` (each gold item as a synthetic document), per run
    `run-<config>.txt` (the passages returned) and `judged-<config>.txt` (the same ranking
    with matching passages replaced by the items they found: trec_eval on it and qrels.txt
    reproduces our numbers)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "qrels.txt"]
    write_trec_qrels(qrels_for(questions), paths[0])
    for run in outcome.runs:
        judged = judge_run(questions, run, outcome.k)
        paths += [out_dir / f"run-{run.name}.txt", out_dir / f"judged-{run.name}.txt"]
        write_trec_run(run, paths[-2])
        write_trec_ranking({q: list(docs.items()) for q, docs in judged.ranking.items()}, run.name, paths[-1])
    return paths
