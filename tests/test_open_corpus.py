"""The open corpus: documents the manifest does not know are added, indexed, searched over
HTTP with their own citations, and removed again; one document found twice is read once;
one resolver answers for search, mandates, documents and briefings."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from http_server import running_server
from typer.testing import CliRunner

from wsis_rag.cli.main import app
from wsis_rag.core.settings import Settings, get_settings
from wsis_rag.corpus.library import add_to_library, remove_from_library
from wsis_rag.index.store.builder import is_stale, stale_reasons
from wsis_rag.index.store.versions import load_retriever
from wsis_rag.ingest.pipeline import ingest_corpus
from wsis_rag.service.app import create_app

SHARED = Settings().shared_dir
pytestmark = pytest.mark.integration  # reads the shared corpus
UN_PDF = SHARED / "un-corpus" / "pdf"
ADDED = ["A_RES_79_194.pdf", "A_RES_80_62.pdf", "A_RES_79_67.pdf"]


def _masthead(symbol: str, title: str, *paragraphs: str) -> str:
    numbered = "\n\n".join(f"{n}. {text}" for n, text in enumerate(paragraphs, start=1))
    return f"United Nations {symbol}\n\nGeneral Assembly\n\n{title}\n\nThe General Assembly,\n\n{numbered}\n"


def test_add_copies_documents_and_refuses_what_is_not_one(tmp_path: Path) -> None:
    library = tmp_path / "library"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "note.md").write_text(_masthead("A/RES/99/1", "A title", "Decides."), encoding="utf-8")
    (folder / "letter.docx").write_bytes(b"PK\x03\x04")
    (folder / "fake.pdf").write_text("not a pdf", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bulk.jsonl.gz").write_bytes(b"\x1f\x8b")

    change = add_to_library([folder], library)

    assert [p.name for p in change.added] == ["note.md"]
    reasons = {p.name: reason for p, reason in change.refused}
    assert "unsupported file type '.docx'" in reasons["letter.docx"]
    assert "not a PDF" in reasons["fake.pdf"] and "empty" in reasons["empty.txt"]
    assert "not a readable collection" in reasons["bulk.jsonl.gz"]
    assert sorted(p.name for p in library.iterdir()) == ["note.md"]  # no temporary copy left behind
    assert add_to_library([folder / "note.md"], library).unchanged == [library / "note.md"]
    other = tmp_path / "note.md"
    other.write_text("something else", encoding="utf-8")
    assert "already in the library" in add_to_library([other], library).refused[0][1]
    assert remove_from_library(["note.md"], library).removed == [library / "note.md"]
    assert "no file note.md" in remove_from_library(["note.md"], library).refused[0][1]


def test_one_document_found_twice_is_read_once_from_the_better_source(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    text = _masthead("A/RES/99/12", "Connectivity for all", "Decides to connect every school.")
    (first / "copy.txt").write_text(text, encoding="utf-8")
    (second / "resolution.md").write_text(text, encoding="utf-8")
    # The manifest's A/RES/80/173, from a file the manifest does not list: its id and labels stay.
    (second / "official_wsis20.txt").write_text(
        _masthead("A/RES/80/173", "WSIS+20", "Reaffirms the vision."), encoding="utf-8"
    )
    settings = Settings(cache_dir=tmp_path / "cache", corpus_dirs=[first, second], library_dir=tmp_path / "lib")

    corpus = ingest_corpus(settings)

    by_id = {d.meta.id: d for d in corpus.documents}
    assert set(by_id) == {"a-res-99-12", "a-res-80-173"}
    assert by_id["a-res-99-12"].source == second / "resolution.md"  # text before HTML before PDF: .md first
    assert [(d.kept, d.dropped) for d in corpus.duplicates] == [
        (str(second / "resolution.md"), str(first / "copy.txt"))
    ]
    wsis = by_id["a-res-80-173"]
    assert wsis.meta.short == "A/RES/80/173" and wsis.meta.title.startswith("Outcome document")
    assert wsis.passages[-1].label == "A/RES/80/173, para. 1"


@pytest.fixture
def library_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings (and WSIS_* variables for the CLI) with an empty cache, no other corpus
    directory, a library and an index of their own, and one light encoder."""
    env = {
        "WSIS_CACHE_DIR": str(tmp_path / "cache"),
        "WSIS_CORPUS_DIRS": "[]",
        "WSIS_LIBRARY_DIR": str(tmp_path / "library"),
        "WSIS_INDEX_DIR": str(tmp_path / "index"),
        "WSIS_ENCODERS": '["use"]',
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _search(base: str, doc: str) -> httpx.Response:
    # Paragraph 12 of A/RES/79/194 is the one on the digital economy and GDP.
    query = "digital economy connectivity gross domestic product"
    return httpx.get(f"{base}/search", params={"q": query, "k": 10, "doc": doc})


@pytest.mark.integration
def test_added_pdfs_are_indexed_searched_over_http_and_removed(library_env: Settings) -> None:
    added = _cli("corpus", "add", *(str(UN_PDF / name) for name in ADDED))
    assert "3 added to" in " ".join(added.split())
    assert stale_reasons(library_env) == ["no previous index"]
    _cli("index", "build")
    assert not is_stale(library_env)
    listed = json.loads(_cli("corpus", "list", "--json"))
    assert {r["status"] for r in listed if r["source"] == "file"} == {
        "indexed as a-res-79-194 (A/RES/79/194)",
        "indexed as a-res-80-62 (A/RES/80/62)",
        "indexed as a-res-79-67 (A/RES/79/67)",
    }

    with running_server(create_app(library_env, load_retriever(library_env))) as base:
        documents = httpx.get(f"{base}/documents").json()["documents"]
        assert {d["meta"]["symbol"] for d in documents} == {"A/RES/79/194", "A/RES/80/62", "A/RES/79/67"}
        for name in ("A/RES/79/194", "a-res-79-194", "a /res/79/194"):  # one resolver, any spelling
            response = _search(base, name)
            assert response.status_code == 200, response.text
            hits = response.json()["results"]
            assert hits and {h["citation"]["doc_id"] for h in hits} == {"a-res-79-194"}
            assert "A/RES/79/194, para. 12" in {h["citation"]["label"] for h in hits}
            mandates = httpx.get(f"{base}/mandates", params={"actor": "ITU", "doc": name}).json()
            assert mandates["documents"] == ["a-res-79-194"]
        detail = httpx.get(f"{base}/documents/a-res-79-194").json()
        assert detail["meta"]["title"] == "Information and communications technologies for sustainable development"
        assert detail["meta"]["date"] == "2024-12-19" and detail["meta"]["type"] == "resolution"

    _cli("corpus", "remove", "A_RES_79_194.pdf")
    assert stale_reasons(library_env) == ["a-res-79-194: removed"]
    _cli("index", "build")

    with running_server(create_app(library_env, load_retriever(library_env))) as base:
        documents = httpx.get(f"{base}/documents").json()["documents"]
        assert {d["meta"]["symbol"] for d in documents} == {"A/RES/80/62", "A/RES/79/67"}
        # A document that the index does not hold is not there: 404, named in a parameter or in the path.
        assert _search(base, "A/RES/79/194").status_code == 404
        assert httpx.get(f"{base}/mandates", params={"actor": "ITU", "doc": "A/RES/79/194"}).status_code == 404
        brief = httpx.post(f"{base}/brief", json={"questions": ["ITU"], "filters": {"doc": ["A/RES/79/194"]}})
        assert brief.status_code == 404
        assert httpx.get(f"{base}/documents/a-res-79-194").status_code == 404
        assert httpx.get(f"{base}/documents/a-res-79-194/mandates", params={"actor": "ITU"}).status_code == 404
        assert _search(base, "A/RES/80/62").status_code == 200


def test_a_fetched_document_is_ingested_when_corpus_dirs_omit_the_cache(tmp_path: Path) -> None:
    # `corpus fetch` saves into the cache; ingestion and the build look where listing and
    # fetching look (corpus_search_dirs), so WSIS_CORPUS_DIRS without the cache loses nothing.
    cache, elsewhere = tmp_path / "cache", tmp_path / "elsewhere"
    cache.mkdir()
    elsewhere.mkdir()
    (cache / "tunis_commitment_en.txt").write_text("Tunis Commitment\n\n1. We reaffirm.\n", encoding="utf-8")
    settings = Settings(cache_dir=cache, corpus_dirs=[elsewhere], library_dir=tmp_path / "library")

    corpus = ingest_corpus(settings)

    assert [(d.meta.id, d.source) for d in corpus.documents] == [
        ("tunis-commitment", cache / "tunis_commitment_en.txt")
    ]


def _small_collection(path: Path, documents: int) -> Path:
    """A bulk collection of `documents` short resolutions, each with a word of its own."""
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n in range(1, documents + 1):
            text = _masthead(
                f"A/RES/99/{100 + n}",
                f"Reef protection number {n}",
                f"Decides to protect the coral reefs of island{n} from bleaching.",
                "Requests the Secretary-General to report on the implementation of the present resolution.",
            )
            out.write(json.dumps({"symbol": f"A/RES/99/{100 + n}", "title": f"Reefs {n}", "text": text}) + "\n")
    return path


@pytest.mark.integration
def test_a_collection_added_by_command_is_indexed_listed_and_removed(library_env: Settings, tmp_path: Path) -> None:
    collection = _small_collection(tmp_path / "reefs.jsonl.gz", 24)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "no symbol"}\n', encoding="utf-8")
    refused = CliRunner().invoke(app, ["index", "build", "--collection", str(bad)])
    assert refused.exit_code == 1 and "no 'symbol' and 'text'" in refused.output

    _cli("index", "build", "--collection", str(collection))

    listed = json.loads(_cli("corpus", "list", "--json"))
    assert [(Path(r["path"]).name, r["status"]) for r in listed if r["source"] == "collection"] == [
        ("reefs.jsonl.gz", "24 documents indexed")
    ]
    retriever = load_retriever(library_env)
    hit = retriever.search("coral reefs of island17", k=1)[0]
    assert hit.passage.label == "A/RES/99/117, para. 1"
    assert not is_stale(library_env)  # the next build needs no --collection: the library keeps it

    _cli("corpus", "remove", "reefs.jsonl.gz")
    assert stale_reasons(library_env) == [
        f"{library_env.library_dir.resolve() / 'collections' / 'reefs.jsonl.gz'}: removed"
    ]
