"""The regression gate on the dev set, and the same numbers in-process and over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from wsis_rag.eval.gate import FLOORS, gate_failures
from wsis_rag.eval.harness import Outcome, evaluate_retriever, evaluate_service
from wsis_rag.eval.metrics import METRICS
from wsis_rag.eval.questions import Question, load_questions
from wsis_rag.eval.systems import DEFAULT_CONFIG
from wsis_rag.settings import PROJECT_ROOT, Settings


@pytest.fixture(scope="module")
def dev_questions(dev_set: Path) -> list[Question]:
    return load_questions(dev_set)


@pytest.fixture(scope="module")
def in_process(retriever, dev_questions: list[Question]) -> Outcome:
    return evaluate_retriever(retriever, dev_questions, [DEFAULT_CONFIG])


def test_default_configuration_stays_above_the_floors(in_process: Outcome) -> None:
    scores = in_process.evaluation.means()[DEFAULT_CONFIG]
    print({m: round(scores[m], 3) for m in METRICS}, "floors", FLOORS)
    assert not gate_failures(in_process.evaluation), gate_failures(in_process.evaluation)


def test_black_box_service_scores_the_same_as_in_process(
    built_index: Settings, in_process: Outcome, dev_questions: list[Question]
) -> None:
    from wsis_rag.service.app import create_app
    from wsis_rag.service.server import running_server

    with running_server(create_app(built_index)) as url:
        served = evaluate_service(url, dev_questions, DEFAULT_CONFIG)
    local, remote = in_process.runs[0], served.runs[0]
    for q in dev_questions:
        assert [(p.id, p.text) for p in remote.results[q.id]] == [(p.id, p.text) for p in local.results[q.id]], q.id
    assert served.evaluation.configs[0].per_query == in_process.evaluation.configs[0].per_query
    assert served.evaluation.means() == in_process.evaluation.means()


def _wsis_eval(built_index: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WSIS_INDEX_DIR": str(built_index.index_dir), "COLUMNS": "160"}
    return subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "wsis"), "eval", *args],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )


def test_cli_writes_the_table_json_markdown_and_chart(built_index: Settings, dev_set: Path, tmp_path: Path) -> None:
    result = _wsis_eval(built_index, "--set", str(dev_set), "--configs", "bm25,bm25+e5", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for text in ("All queries", "nDCG@10 by slice", "cross-lingual", "kind:symbol", "bm25+e5"):
        assert text in result.stdout
    report = json.loads((tmp_path / "evaluation.json").read_text(encoding="utf-8"))
    assert report["slices"]["all"]["queries"] == 40 and set(report["p_values"]) == {"bm25", "bm25+e5"}
    assert "| a | bm25 |" in (tmp_path / "evaluation.md").read_text(encoding="utf-8")
    assert (tmp_path / "evaluation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "trec" / "judged-bm25.txt").is_file()


def test_cli_rejects_an_unknown_configuration(built_index: Settings, tmp_path: Path) -> None:
    result = _wsis_eval(built_index, "--configs", "bm25,colbert", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "unknown configuration 'colbert'" in result.stdout
    assert not (tmp_path / "evaluation.json").exists()
