"""`wsis corpus list` and the manifest lookups under it, on the real shared corpus."""

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
