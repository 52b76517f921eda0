"""`wsis ingest` piped and as JSON: two tables, told apart by their titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wsis_rag.cli.main import app

TEXT = "Resolution on tests\n\n1. Decides that tables read well piped.\n\n2. Requests one line per row.\n"


@pytest.fixture
def text_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "a_note_on_tables.txt"
    path.write_text(TEXT, encoding="utf-8")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    return path


def test_piped_ingest_prints_each_table_as_tsv_under_its_title(text_file: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(text_file)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    documents = lines.index("# Documents")
    kinds = lines.index("# Clauses by kind")
    assert lines[documents + 1 : kinds] == [
        "document\tfile\tlang\tclauses\tpassages\twarnings",
        "a-note-on-tables\ta_note_on_tables.txt\ten\t3\t3\t0",
    ]
    assert lines[kinds + 1] == "kind\tcount" and "paragraph\t2" in lines[kinds + 2 :]
    assert "ingesting" not in result.stdout  # the progress goes to stderr


def test_ingest_json_names_each_table(text_file: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(text_file), "--json"])

    assert result.exit_code == 0, result.output
    tables = json.loads(result.stdout)
    assert list(tables) == ["Documents", "Clauses by kind"]
    [document] = tables["Documents"]
    assert (document["file"], document["passages"]) == ("a_note_on_tables.txt", 3)
    assert {"kind": "paragraph", "count": 2} in tables["Clauses by kind"]
