"""Bad input: a clear error naming the file and the reason; the other files still ingest;
`wsis ingest` exits non-zero when anything failed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from wsis_rag.core.errors import IngestError
from wsis_rag.core.settings import PROJECT_ROOT, Settings
from wsis_rag.ingest.pipeline import ingest_corpus, ingest_file, ingest_paths

JUNK = bytes(range(256)) * 64


@pytest.fixture()
def bad_files(tmp_path: Path, shared_pdf: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(JUNK)
    docx = tmp_path / "notes.docx"
    docx.write_bytes(b"PK\x03\x04 not really a document")
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_bytes(JUNK)
    return {
        "truncated": (shared_pdf / "broken_truncated.pdf", "PDF is truncated or corrupt (EOF marker not found)"),
        "encrypted": (shared_pdf / "encrypted.pdf", "PDF is encrypted"),
        "empty": (empty, "file is empty"),
        "junk": (junk, "not a text file (binary content)"),
        "unsupported": (docx, "unsupported file type '.docx'"),
        "fake-pdf": (fake_pdf, "not a PDF file (no %PDF header)"),
    }


@pytest.mark.parametrize("case", ["truncated", "encrypted", "empty", "junk", "unsupported", "fake-pdf"])
def test_each_bad_input_raises_a_clear_error(bad_files, case: str) -> None:  # type: ignore[no-untyped-def]
    path, reason = bad_files[case]
    with pytest.raises(IngestError) as caught:
        ingest_file(path)
    assert caught.value.reason == reason
    assert str(path) in str(caught.value)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="file not found"):
        ingest_file(tmp_path / "nowhere.md")


def test_other_files_still_ingest(bad_files, shared_corpus: Path) -> None:  # type: ignore[no-untyped-def]
    good = shared_corpus / "A_RES_80_173_en.md"
    paths = [path for path, _ in bad_files.values()]
    result = ingest_paths([paths[0], good, *paths[1:]])
    assert [d.meta.id for d in result.documents] == ["a-res-80-173"]
    assert {(e.path, e.reason) for e in result.errors} == {(str(p), r) for p, r in bad_files.values()}


def test_ingest_corpus_continues_past_a_broken_document(tmp_path: Path, shared_corpus: Path, shared_pdf: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # the manifest's file name for 80/173, but the truncated bytes
    shutil.copy(shared_pdf / "broken_truncated.pdf", corpus / "A_RES_80_173_en.pdf")
    shutil.copy(shared_corpus / "ITU_Council_2026_CWG-WSIS-SDG_chair_report_zh.txt", corpus)
    result = ingest_corpus(Settings(corpus_dirs=[corpus]))
    assert [d.meta.id for d in result.documents] == ["council-report-2026"]
    assert [(Path(e.path).name, e.reason) for e in result.errors] == [
        ("A_RES_80_173_en.pdf", "PDF is truncated or corrupt (EOF marker not found)")
    ]
    assert "gdc" in result.missing


def test_cli_reports_errors_dumps_the_good_files_and_exits_non_zero(
    bad_files,
    shared_corpus: Path,
    shared_pdf: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    dump = tmp_path / "passages.jsonl"
    args = [
        str(shared_corpus / "A_RES_79_1_annexI_Global_Digital_Compact_en.md"),
        str(shared_pdf / "A_RES_80_173_en.pdf"),
    ]
    args += [str(path) for path, _ in bad_files.values()]
    run = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "wsis"), "ingest", *args, "--dump", str(dump)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    for path, reason in bad_files.values():
        assert f"{path}: {reason}" in run.stdout
    assert "Clauses by kind" in run.stdout and "subparagraph" in run.stdout
    records = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    assert {r["doc_id"] for r in records} == {"gdc", "a-res-80-173"}
    for record in records:
        assert {"id", "doc_id", "symbol", "locator", "lang", "page", "text"} <= record.keys()
    by_id = {r["id"]: r for r in records}
    assert by_id["gdc:para-8-b"]["page"] is None and by_id["gdc:para-8-b"]["locator"] == "para. 8 (b)"
    assert by_id["a-res-80-173:para-1"]["page"] == 2 and by_id["a-res-80-173:para-1"]["lang"] == "en"
