"""`wsis eval --answers` end to end on the index `./run.sh` builds: the same questions asked
in process and of a live service over HTTP are judged alike, and the tables and the
per-question record are written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wsis_rag.cli.main import app
from wsis_rag.core.settings import PROJECT_ROOT, Settings
from wsis_rag.index.api import load_retriever
from wsis_rag.service.app import create_app

SETS = PROJECT_ROOT / "eval" / "sets"


@pytest.fixture(scope="module")
def question_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few held-out questions and a few the corpus does not answer, as one set."""
    rows = [
        *(SETS / "heldout-wsis.jsonl").read_text(encoding="utf-8").splitlines()[:5],
        *(SETS / "unanswerable.jsonl").read_text(encoding="utf-8").splitlines()[:3],
    ]
    path = tmp_path_factory.mktemp("answers-set") / "mixed.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _evaluate(index: Settings, questions: Path, out: Path, *extra: str) -> dict[str, dict[str, object]]:
    args = ["eval", "--answers", "--split", "all", "--set", str(questions), "--index", str(index.index_dir)]
    result = CliRunner().invoke(app, [*args, "--out", str(out), *extra], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Abstention" in (out / "answers.md").read_text(encoding="utf-8")
    record = json.loads((out / "answers.json").read_text(encoding="utf-8"))
    return {row["id"]: row for row in record["questions"]["mixed"]}


def test_answers_are_judged_alike_in_process_and_over_http(
    ten_document_index: Settings, question_set: Path, tmp_path: Path
) -> None:
    from http_server import running_server

    in_process = _evaluate(ten_document_index, question_set, tmp_path / "in-process")
    with running_server(create_app(ten_document_index, load_retriever(ten_document_index), mcp=False)) as url:
        over_http = _evaluate(ten_document_index, question_set, tmp_path / "http", "--url", url)
    assert in_process.keys() == over_http.keys() and len(in_process) == 8
    judged = ("declined", "support", "gold_cited", "first_gold", "gold_sentences", "sentences", "verbatim")
    for qid, row in in_process.items():
        assert {f: row[f] for f in judged} == {f: over_http[qid][f] for f in judged}, qid
        assert row["verbatim"] is True  # every quoted sentence stands in the clause it cites
        assert (row["sentences"] is None) == row["declined"]
    answerable = [row for row in in_process.values() if row["answerable"]]
    assert len(answerable) == 5 and all(row["retrieved_gold"] is not None for row in answerable)
    assert all(row["retrieved_gold"] is None for row in in_process.values() if not row["answerable"])
