"""`wsis brief` and `wsis mandates` as a user runs them, on the session's built index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from wsis_rag.core.settings import Settings

WSIS = Path(sys.executable).with_name("wsis")


def _run(built_index: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WSIS_INDEX_DIR": str(built_index.index_dir), "COLUMNS": "160"}
    return subprocess.run([str(WSIS), *args], env=env, capture_output=True, text=True, timeout=300)


def test_wsis_mandates_json_and_table(built_index: Settings) -> None:
    listed = _run(built_index, "mandates", "ITU", "--doc", "A/RES/80/173", "--json")
    assert listed.returncode == 0, listed.stderr
    labels = [m["label"] for m in json.loads(listed.stdout)["mandates"]]
    assert {f"A/RES/80/173, para. {n}" for n in (67, 107, 110, 121)} <= set(labels)
    table = _run(built_index, "mandates", "UNGIS")
    assert table.returncode == 0 and "A/RES/80/173, para. 122" in table.stdout
    unknown = _run(built_index, "mandates", "Nobody")
    assert unknown.returncode == 1 and "unknown actor 'Nobody'" in unknown.stderr


def test_wsis_brief_writes_each_format(built_index: Settings, tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text(
        "# for the Council briefing\nWhat role does the Partnership on Measuring ICT for Development play?\n"
    )
    out = tmp_path / "note.docx"
    done = _run(
        built_index,
        "brief",
        "What does A/RES/80/173 assign to ITU?",
        "--questions",
        str(questions),
        "--format",
        "docx",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    from docx import Document

    headings = [p.text for p in Document(str(out)).paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == [
        "Questions",
        "What does A/RES/80/173 assign to ITU?",
        "A/RES/80/173: " + headings[2].split(": ", 1)[1],
    ]
    md = _run(built_index, "brief", "What does A/RES/80/173 assign to ITU?")
    assert md.returncode == 0 and "> — [A/RES/80/173, para. 67](https://docs.un.org/en/A/RES/80/173)" in md.stdout
    no_out = _run(built_index, "brief", "ITU", "--format", "docx")
    assert no_out.returncode == 1 and "--out" in no_out.stderr
    nothing = _run(built_index, "brief")
    assert nothing.returncode == 1 and "at least one" in nothing.stderr
