"""The regression gate on the dev set, and the same numbers in-process and over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from wsis_rag.core.settings import PROJECT_ROOT, Settings
from wsis_rag.eval.gate import FLOORS, gate_failures
from wsis_rag.eval.harness import Outcome, evaluate_retriever
from wsis_rag.eval.metrics import METRICS, evaluate
from wsis_rag.eval.questions import Question, RelevantItem, load_questions, write_questions
from wsis_rag.eval.report import write_outputs
from wsis_rag.eval.runs import RankedPassage, Run, read_trec_run, write_trec_run
from wsis_rag.eval.systems import DEFAULT_CONFIG


@pytest.fixture(scope="module")
def dev_questions(dev_set: Path) -> list[Question]:
    return load_questions(dev_set)


@pytest.fixture(scope="module")
def in_process(retriever, dev_questions: list[Question]) -> Outcome:
    return evaluate_retriever(retriever, dev_questions, [DEFAULT_CONFIG])


def test_default_configuration_stays_above_the_floors(in_process: Outcome, artifacts_dir: Path) -> None:
    scores = in_process.evaluation.means()[DEFAULT_CONFIG]
    print({m: round(scores[m], 3) for m in METRICS}, "floors", FLOORS)
    write_outputs(in_process.evaluation, artifacts_dir / "eval-gate", "Regression gate: dev set", {"floors": FLOORS})
    assert not gate_failures(in_process.evaluation), gate_failures(in_process.evaluation)


def test_black_box_service_scores_the_same_as_in_process(
    built_index: Settings, retriever, in_process: Outcome, dev_set: Path, tmp_path: Path
) -> None:
    """`wsis eval --url` against the real app under uvicorn on 127.0.0.1."""
    from http_server import running_server

    from wsis_rag.service.app import create_app

    with running_server(create_app(built_index)) as url:
        args = ("--set", str(dev_set), "--url", url, "--configs", DEFAULT_CONFIG, "--out", str(tmp_path))
        result = _wsis_eval(built_index, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    texts = {p.id: p.text for p in retriever.passages}
    served = read_trec_run(tmp_path / "trec" / f"run-{DEFAULT_CONFIG}.txt", texts)
    assert served.results == {
        qid: [p.model_copy(update={"score": round(p.score, 6)}) for p in passages]
        for qid, passages in in_process.runs[0].results.items()
    }
    report = json.loads((tmp_path / "evaluation.json").read_text(encoding="utf-8"))
    assert report["mode"] == f"black-box: {url}"
    assert report["per_query"][DEFAULT_CONFIG] == in_process.evaluation.configs[0].per_query
    assert report["slices"]["all"]["scores"] == in_process.evaluation.means()


def _wsis_eval(built_index: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WSIS_INDEX_DIR": str(built_index.index_dir), "COLUMNS": "160"}
    return subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "wsis"), "eval", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_cli_writes_the_table_json_markdown_and_chart(
    built_index: Settings, in_process: Outcome, dev_questions: list[Question], tmp_path: Path
) -> None:
    subset = tmp_path / "subset.jsonl"
    write_questions(dev_questions[:12], subset)  # council-report questions: the cross-lingual slice is not empty
    # Another system's TREC run over this index, scored beside the configurations.
    write_trec_run(in_process.runs[0], tmp_path / "other.trec")
    out = tmp_path / "out"
    args = ("--set", str(subset), "--configs", "bm25,bm25+e5", "--trec-run", str(tmp_path / "other.trec"))
    result = _wsis_eval(built_index, *args, "--out", str(out))
    assert result.returncode == 0, result.stderr
    for text in ("All queries", "nDCG@10 by slice", "cross-lingual", "kind:factoid", "bm25+e5", "other"):
        assert text in result.stdout
    report = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert report["slices"]["all"]["queries"] == 12 and report["slices"]["cross-lingual"]["queries"] > 0
    assert set(report["p_values"]) == {"bm25", "bm25+e5", "other"}
    hybrid = in_process.evaluation.configs[0].per_query
    assert report["per_query"]["other"] == {m: {q.id: hybrid[m][q.id] for q in dev_questions[:12]} for m in METRICS}
    assert "| a | bm25 |" in (out / "evaluation.md").read_text(encoding="utf-8")
    assert (out / "evaluation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "trec" / "judged-bm25.txt").is_file()


def test_cli_rejects_an_unknown_configuration(built_index: Settings, tmp_path: Path) -> None:
    result = _wsis_eval(built_index, "--configs", "bm25,colbert", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "unknown configuration 'colbert'" in result.stderr
    assert not (tmp_path / "evaluation.json").exists()


def test_gate_names_every_metric_below_its_floor() -> None:
    q = Question(id="x1", query="digital divide", relevant=[RelevantItem(doc="GDC", snippet="digital divide")])
    # Found at rank 2: MRR 0.5 and nDCG 0.63 fall below their floors, the recalls do not.
    texts = ["unrelated clause", "closing the digital divide"]
    passages = [RankedPassage(id=f"d:p{i}", score=1.0, text=t) for i, t in enumerate(texts)]
    run = Run(name=DEFAULT_CONFIG, results={"x1": passages})
    failures = gate_failures(evaluate([q], [run]))
    assert failures == [
        f"{DEFAULT_CONFIG} MRR@10 0.500 < floor {FLOORS['all']['mrr@10']:.2f}",
        f"{DEFAULT_CONFIG} nDCG@10 0.631 < floor {FLOORS['all']['ndcg@10']:.2f}",
    ]
