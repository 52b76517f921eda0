"""`wsis corpus list` and the manifest lookups under it: on a tiny corpus of one text file
(what it prints piped, as JSON and on a terminal) and on the real shared corpus."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from wsis_rag.cli.main import app
from wsis_rag.core.settings import Settings, get_settings
from wsis_rag.corpus.manifest import FetchSource, corpus_search_dirs, load_manifest

SHARED_DOCUMENTS = {"a-res-80-173", "gdc", "council-report-2026"}


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_corpus: Path) -> Iterator[Path]:
    """Default corpus dirs (the shared corpus among them) with a cache that holds nothing,
    so that the result does not depend on what a developer has fetched."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("WSIS_CACHE_DIR", str(cache))
    monkeypatch.setenv("WSIS_CORPUS_DIRS", json.dumps([str(cache), str(shared_corpus)]))
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    yield cache
    get_settings.cache_clear()


@pytest.fixture
def tiny_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings that look only in a temporary corpus holding one document of the manifest
    (as text) and one file it does not list; no index. Stdout is not a terminal (CliRunner
    captures it), so nothing in the environment may claim one."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tunis_agenda_en.txt").write_text("Tunis Agenda for the Information Society\n", encoding="utf-8")
    (corpus / "my_note.txt").write_text("A note of my own.\n\nIt is short.\n", encoding="utf-8")
    for name, value in {
        "WSIS_CACHE_DIR": tmp_path / "cache",
        "WSIS_CORPUS_DIRS": json.dumps([str(corpus)]),
        "WSIS_LIBRARY_DIR": tmp_path / "library",
        "WSIS_INDEX_DIR": tmp_path / "index",
        "WSIS_COLLECTIONS": "[]",
        "COLUMNS": "40",  # a rich table this narrow would fold every cell
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    get_settings.cache_clear()
    yield corpus
    get_settings.cache_clear()


def test_piped_list_is_tsv_with_one_line_per_document(tiny_corpus: Path) -> None:
    result = CliRunner().invoke(app, ["corpus", "list"])

    assert result.exit_code == 0, result.output
    comments = [line for line in result.stdout.splitlines() if line.startswith("#")]
    header, *rows = (line.split("\t") for line in result.stdout.splitlines() if not line.startswith("#"))
    assert header == ["id", "symbol", "title", "type", "date", "lang", "local file", "index"]
    manifest = load_manifest().documents
    assert [row[0] for row in rows] == [e.id for e in manifest] + [""]
    assert all(len(row) == len(header) for row in rows)
    by_id = {row[0]: row for row in rows}
    gdc = next(e for e in manifest if e.id == "gdc")
    assert by_id["gdc"][2] == gdc.meta.title and len(gdc.meta.title) > 40  # whole, not folded
    assert by_id["tunis-agenda"][6:] == [str(tiny_corpus / "tunis_agenda_en.txt"), "no index yet"]
    assert rows[-1][2:] == ["(file not in the manifest)", "", "", "", str(tiny_corpus / "my_note.txt"), "no index yet"]
    assert comments[0] == "# WSIS corpus"
    assert f"# 1 of {len(manifest)} documents present; 1 other files and collections" in comments


def test_list_json_parses_with_a_row_per_line_of_the_table(tiny_corpus: Path) -> None:
    documents = list_json()

    assert [d["id"] for d in documents] == [e.id for e in load_manifest().documents] + [None]
    assert documents[-1]["path"] == str(tiny_corpus / "my_note.txt")


def test_on_a_terminal_the_list_is_a_rich_table(tiny_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich's switch: treat stdout as a terminal
    monkeypatch.setenv("COLUMNS", "250")

    result = CliRunner().invoke(app, ["corpus", "list"])

    assert result.exit_code == 0, result.output
    assert "┏" in result.stdout and "\t" not in result.stdout
    assert "│ tunis-agenda" in result.stdout


def list_json(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["corpus", "list", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_list_json_shows_the_shared_documents_present(empty_cache: Path, shared_corpus: Path) -> None:
    documents = list_json()

    assert [d["id"] for d in documents] == [e.id for e in load_manifest().documents]
    present = {d["id"]: d for d in documents if d["present"]}
    assert set(present) == SHARED_DOCUMENTS
    assert present["a-res-80-173"]["path"] == str(shared_corpus / "A_RES_80_173_en.md")
    assert present["council-report-2026"]["lang"] == "zh"
    gdc = present["gdc"]
    assert (gdc["symbol"], gdc["type"], gdc["date"]) == ("A/RES/79/1, annex I", "outcome-document", "2024-09-22")
    missing = {d["id"]: d for d in documents if not d["present"]}
    assert missing["a-res-70-125"]["fetchable"] is True and missing["itu-council-res-1334"]["fetchable"] is False


def test_list_table_names_each_document_and_counts_the_present(empty_cache: Path) -> None:
    result = CliRunner().invoke(app, ["corpus", "list"])

    assert result.exit_code == 0, result.output
    for doc_id in SHARED_DOCUMENTS | {"tunis-agenda", "itu-pp-res-140"}:
        assert doc_id in result.output
    assert "Global Digital Compact" in result.output
    assert f"3 of {len(load_manifest().documents)} documents present" in result.output


def test_list_looks_in_directories_named_by_flag(empty_cache: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "tunis_agenda_en.txt").write_text("Tunis Agenda for the Information Society\n", encoding="utf-8")

    documents = {d["id"]: d for d in list_json("--corpus", str(extra))}

    assert documents["tunis-agenda"]["path"] == str(extra / "tunis_agenda_en.txt")
    assert documents["geneva-declaration"]["present"] is False


def test_the_cache_is_searched_first_even_when_corpus_dirs_omit_it(tmp_path: Path, shared_corpus: Path) -> None:
    cache = tmp_path / "cache"
    library = tmp_path / "library"
    settings = Settings(cache_dir=cache, corpus_dirs=[shared_corpus, cache], library_dir=library)

    # The user's library comes after the configured directories, before `--corpus` ones.
    assert corpus_search_dirs(settings, [tmp_path]) == [cache, shared_corpus, library, tmp_path]


@pytest.mark.parametrize("name", ["../escape.pdf", "sub/dir.pdf", "..", ""])
def test_fetch_file_must_be_a_plain_name(name: str) -> None:
    with pytest.raises(ValidationError, match="plain file name"):
        FetchSource(url="https://example.org/x.pdf", file=name)


def test_fetch_sha256_must_be_a_hex_digest() -> None:
    with pytest.raises(ValidationError, match="sha256"):
        FetchSource(url="https://example.org/x.pdf", file="x.pdf", sha256="abc")
