"""GET /documents/{id}/lineage and the versions of GET /documents/{id} over three small
documents written for the tests (a resolution, its draft, and a later resolution citing it),
ingested by the real pipeline and related by the real lineage table; the hashing encoder
of the unit layer instead of a model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wsis_rag.core.settings import Settings
from wsis_rag.index.encoders.embedders import Embedder
from wsis_rag.index.lineage import build_lineage
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.ingest.pipeline import ingest_paths
from wsis_rag.service.app import create_app

MASTHEAD = (
    "United Nations {symbol}\n\nGeneral Assembly Distr.: General {date}\n\nNinety-eighth session Agenda item 15\n\n"
)
BODY = (
    "The General Assembly,\n\n"
    "Recalling the 2030 Agenda for Sustainable Development,\n\n"
    "Recognizing that digital divides remain between and within countries,\n\n"
    "1. Calls upon Member States to close the digital divide;\n\n"
    "2. Requests the Secretary-General to report on the implementation of the present resolution.\n"
)
DOCUMENTS = {
    "draft.txt": MASTHEAD.format(symbol="A/C.2/98/L.10", date="10 October 2023")
    + "Italy: draft resolution\n\nBuilding digital bridges\n\n"
    + BODY,
    "adopted.txt": MASTHEAD.format(symbol="A/RES/98/120", date="19 December 2023")
    + "Resolution adopted by the General Assembly on 19 December 2023\n\n98/120. Building digital bridges\n\n"
    + BODY,
    "next.txt": MASTHEAD.format(symbol="A/RES/99/7", date="20 December 2024")
    + "Resolution adopted by the General Assembly on 20 December 2024\n\n99/7. Building digital bridges\n\n"
    + BODY.replace(
        "Recognizing that",
        "Reaffirming its resolution 98/120 of 19 December 2023, and in particular paragraph 1 thereof,\n\nRecognizing that",
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, hashing_embedder: Embedder) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("lineage")
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    corpus = ingest_paths([folder])
    assert not corpus.errors
    passages = [p for d in corpus.documents for p in d.passages]
    metas = [d.meta for d in corpus.documents]
    lineage = build_lineage(corpus.documents, passages, metas)
    retriever = build_retriever(passages, metas, {"hash": hashing_embedder}, lineage=lineage)
    settings = Settings(index_dir=folder / "no-index", corpus_dirs=[folder])
    with TestClient(create_app(settings, retriever, mcp=False)) as test_client:
        yield test_client


def test_what_a_document_cites_by_verb_with_its_clause_and_paragraph(client: TestClient) -> None:
    lineage = client.get("/documents/a-res-99-7/lineage").json()
    assert lineage["document"]["symbol"] == "A/RES/99/7"
    groups = {g["verb"]: g["edges"] for g in lineage["cites"]}
    assert set(groups) == {"recalls", "reaffirms"}
    (earlier,) = groups["reaffirms"]
    assert earlier["document"] == {
        "doc_id": "a-res-98-120",
        "symbol": "A/RES/98/120",
        "title": "Building digital bridges",
        "date": "2023-12-19",
    }
    assert earlier["paragraph"] == "1"
    assert earlier["clause"]["id"] == "a-res-99-7:preamble-2"
    assert earlier["clause"]["label"] == "A/RES/99/7, preambular para. 2"
    assert earlier["clause"]["text"].startswith("Reaffirming its resolution 98/120")
    (agenda,) = groups["recalls"]
    assert agenda["document"] == {
        "doc_id": None,
        "symbol": "A/RES/70/1",
        "title": "2030 Agenda for Sustainable Development",
        "date": None,
    }
    assert lineage["cites_total"] == 2


def test_what_cites_a_document(client: TestClient) -> None:
    cited = client.get("/documents/a-res-98-120/lineage").json()
    assert cited["cited_by_total"] == 1
    (group,) = cited["cited_by"]
    assert group["verb"] == "reaffirms"
    assert group["edges"][0]["document"]["doc_id"] == "a-res-99-7"
    assert group["edges"][0]["clause"]["id"] == "a-res-99-7:preamble-2"


def test_versions_and_the_yearly_series(client: TestClient) -> None:
    adopted = client.get("/documents/a-res-98-120").json()
    versions = {(v["relation"], v["role"], v["document"]["doc_id"]) for v in adopted["versions"]}
    assert versions == {("draft-adopted", "draft", "a-c-2-98-l-10"), ("yearly-successor", "next", "a-res-99-7")}
    lineage = client.get("/documents/a-res-99-7/lineage").json()
    assert [d["symbol"] for d in lineage["series"]] == ["A/RES/98/120", "A/RES/99/7"]
    draft = client.get("/documents/a-c-2-98-l-10/lineage").json()
    assert [(v["role"], v["document"]["symbol"]) for v in draft["versions"]] == [("adopted", "A/RES/98/120")]


def test_an_unknown_document_is_404(client: TestClient) -> None:
    missing = client.get("/documents/a-res-1-1/lineage")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_an_index_without_a_lineage_table_says_so(mini_retriever: HybridRetriever, tmp_path: Path) -> None:
    assert mini_retriever.lineage is None
    settings = Settings(index_dir=tmp_path / "no-index", corpus_dirs=[tmp_path])
    with TestClient(create_app(settings, mini_retriever, mcp=False)) as bare:
        response = bare.get("/documents/mini-res/lineage")
        assert response.status_code == 503
        assert "no lineage table" in response.json()["detail"]
        assert bare.get("/documents/mini-res").json()["versions"] == []
