"""One call per mode: score configurations of a retriever in-process, or a running service
over HTTP. The CLI and the regression gate are thin layers over these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wsis_rag.eval.metrics import Evaluation, evaluate
from wsis_rag.eval.questions import Question
from wsis_rag.eval.relevance import check_snippets, qrels_for
from wsis_rag.eval.runs import Run, write_trec_qrels, write_trec_run
from wsis_rag.eval.systems import Advance, configure, default_configs, run_in_process, run_over_http

if TYPE_CHECKING:
    from wsis_rag.index.retriever import HybridRetriever


@dataclass
class Outcome:
    evaluation: Evaluation
    runs: list[Run]


def evaluate_retriever(
    retriever: HybridRetriever,
    questions: Sequence[Question],
    configs: Sequence[str] | None = None,
    k: int = 10,
    advance: Advance | None = None,
) -> Outcome:
    """Score each configuration (default: BM25, each encoder, the hybrid). Raises
    `UnmatchedSnippetError` first if a gold snippet is in no indexed passage."""
    check_snippets(questions, (p.text for p in retriever.passages))
    names = list(configs) if configs else default_configs(retriever)
    systems = {name: configure(retriever, name) for name in names}  # unknown names fail before any search
    runs = [run_in_process(system, questions, name, k, advance) for name, system in systems.items()]
    return Outcome(evaluate(questions, runs, k), runs)


def evaluate_service(
    base_url: str, questions: Sequence[Question], name: str, k: int = 10, advance: Advance | None = None
) -> Outcome:
    """Score a running service through `GET /search` (one configuration: whatever it serves)."""
    run = run_over_http(base_url, questions, name, k, advance)
    return Outcome(evaluate(questions, [run], k), [run])


def write_trec_files(outcome: Outcome, questions: Sequence[Question], out_dir: Path) -> list[Path]:
    """`qrels.txt` (every gold item as a synthetic document) and `run-<config>.txt` per run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_trec_qrels(qrels_for(questions), out_dir / "qrels.txt")
    paths = [out_dir / "qrels.txt"]
    for run in outcome.runs:
        paths.append(out_dir / f"run-{run.name}.txt")
        write_trec_run(run, paths[-1])
    return paths
