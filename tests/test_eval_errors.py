"""Bad input to the harness and the CLI: a clear error, non-zero exit, nothing written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from http_server import free_port

from wsis_rag.core.settings import PROJECT_ROOT
from wsis_rag.eval.harness import evaluate_service
from wsis_rag.eval.questions import Question, RelevantItem
from wsis_rag.eval.systems import ServiceSearchError


def test_unreachable_service_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    question = Question(id="x1", query="digital divide", relevant=[RelevantItem(doc="GDC", snippet="digital divide")])
    with pytest.raises(ServiceSearchError, match=rf"{url}: cannot search for x1"):
        evaluate_service(url, [question], "service")


def test_cli_reports_a_broken_question_set(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x1", "query": "q", "relevant": []}\n', encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "wsis"), "eval", "--set", str(broken), "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "broken.jsonl:1: relevant" in result.stderr
    assert not out.exists()
