"""The API over the real index of the shared corpus (TestClient)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from wsis_rag.core.sentences import quotable_sentences
from wsis_rag.core.settings import Settings
from wsis_rag.index.results import Filters, SearchResponse, search_response
from wsis_rag.service.app import create_app

ITU_QUESTION = "What does A/RES/80/173 assign to ITU?"


@pytest.fixture(scope="module")
def client(built_index: Settings, retriever) -> Iterator[TestClient]:
    with TestClient(create_app(built_index, retriever)) as test_client:
        yield test_client


def test_health_and_readiness(client: TestClient, retriever) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["passages"] == len(retriever.passages) > 300
    assert ready["documents"] == 3
    assert ready["index"]["format_version"] and ready["index"]["built_at"]


def test_the_built_index_holds_the_answers_sentence_vectors(retriever) -> None:
    # Built with the real e5 and USE: a row per quotable sentence, each the encoder's own vector.
    assert retriever.sentences is not None and retriever.sentences.encoders == ["e5", "use"]
    quotable = [quotable_sentences(p) for p in retriever.passages]
    passage = retriever.get("a-res-80-173:para-121")
    for encoder in ("e5", "use"):
        assert len(retriever.sentences.vectors[encoder]) == sum(map(len, quotable)) > len(retriever.passages)
        stored = retriever.sentence_vectors(passage.id, encoder)
        assert stored is not None and len(stored) == len(quotable_sentences(passage)) >= 1
        again = retriever.encoder(encoder).embed_passages(quotable_sentences(passage))
        assert np.allclose(stored, again, atol=1e-4), encoder


def itu_question_results(client: TestClient) -> dict:
    response = client.get("/search?q=What+does+A/RES/80/173+assign+to+ITU%3F")
    assert response.status_code == 200
    body = SearchResponse.model_validate(response.json())
    assert body.query == ITU_QUESTION and len(body.results) == 10
    return {r.id: r for r in body.results}


def test_itu_question_returns_the_paragraphs_that_name_itu(client: TestClient) -> None:
    by_id = itu_question_results(client)
    for number in (67, 107, 110, 121):
        result = by_id.get(f"a-res-80-173:para-{number}")
        assert result is not None, (number, sorted(by_id))
        assert result.citation.label == f"A/RES/80/173, para. {number}"
        assert "International Telecommunication Union" in result.text or "ITU" in result.text


def test_itu_question_returns_the_council_report_section_7(client: TestClient) -> None:
    section_7 = [r for i, r in itu_question_results(client).items() if i.startswith("council-report-2026:s7-")]
    assert section_7, "no clause of section 7 in the top 10"
    assert all(r.citation.label.startswith("Council report, section 7, para. ") and r.lang == "zh" for r in section_7)


def test_get_and_post_search_match_the_library_response(client: TestClient, retriever) -> None:
    params = {"q": "digital public infrastructure", "k": 5, "doc": "gdc"}
    got = client.get("/search", params=params).json()
    posted = client.post("/search", json={"q": params["q"], "k": 5, "doc": ["gdc"]}).json()
    library = search_response(retriever, params["q"], 5, Filters(doc=["gdc"])).model_dump(mode="json")
    for body in (got, posted):
        assert [r["id"] for r in body["results"]] == [r["id"] for r in library["results"]]
        assert body["results"] == library["results"]
        assert set(body) == {"query", "results", "missing_documents", "missing_clauses", "took_ms"}
        assert body["missing_documents"] == library["missing_documents"] == []
        assert body["missing_clauses"] == library["missing_clauses"] == []
    assert all(r["citation"]["doc_id"] == "gdc" for r in got["results"])
    assert got["results"][0]["citation"]["label"].startswith("GDC, para. ")


def test_filters_by_language_and_year(client: TestClient) -> None:
    zh = client.get("/search", params={"q": "WSIS Forum", "lang": "zh", "k": 5}).json()["results"]
    assert zh and all(r["lang"] == "zh" for r in zh)
    y2024 = client.get("/search", params={"q": "WSIS Forum", "year": 2024, "k": 5}).json()["results"]
    assert y2024 and all(r["citation"]["doc_id"] == "gdc" for r in y2024)


def test_documents_list_has_metadata_and_clause_counts(client: TestClient) -> None:
    documents = {d["meta"]["id"]: d for d in client.get("/documents").json()["documents"]}
    assert set(documents) == {"a-res-80-173", "gdc", "council-report-2026"}
    resolution = documents["a-res-80-173"]
    assert resolution["meta"]["symbol"] == "A/RES/80/173"
    assert resolution["clauses"] >= 127 and resolution["passages"] >= resolution["clauses"]
    assert documents["council-report-2026"]["meta"]["lang"] == "zh"


def test_document_outline_in_document_order(client: TestClient) -> None:
    detail = client.get("/documents/a-res-80-173").json()
    outline = detail["outline"]
    assert detail["meta"]["id"] == "a-res-80-173" and len(outline) == detail["passages"]
    ids = [e["id"] for e in outline]
    assert ids.index("a-res-80-173:para-1") < ids.index("a-res-80-173:para-121")
    para_121 = outline[ids.index("a-res-80-173:para-121")]
    assert para_121["locator"] == "para. 121" and para_121["label"] == "A/RES/80/173, para. 121"
    assert para_121["kind"] == "paragraph" and para_121["heading_path"]
    assert para_121["text"] is None and 0 < len(para_121["first_words"].split()) <= 13
    with_text = client.get("/documents/a-res-80-173", params={"text": "true"}).json()["outline"]
    assert "United Nations Group on the Information Society" in with_text[ids.index("a-res-80-173:para-121")]["text"]


def test_passage_with_neighbours(client: TestClient, retriever) -> None:
    response = client.get("/passages/a-res-80-173:para-121")
    assert response.status_code == 200
    body = response.json()
    assert body["passage"]["id"] == "a-res-80-173:para-121"
    assert body["citation"]["label"] == "A/RES/80/173, para. 121"
    assert [p["id"] for p in body["before"]][-1] == "a-res-80-173:para-120"
    assert [p["id"] for p in body["after"]][0] == "a-res-80-173:para-122"
    assert len(body["before"]) == len(body["after"]) == 2


def test_split_clause_pieces_are_addressable(client: TestClient, retriever) -> None:
    piece = next(p for p in retriever.passages if "~" in p.id)  # e.g. council-report-2026:s1-p1~2
    body = client.get(f"/passages/{piece.id}").json()
    assert body["passage"]["id"] == piece.id and body["passage"]["piece"] == piece.piece


@pytest.mark.parametrize(
    ("ref", "ids"),
    [
        ("A/RES/80/173, para. 121", ["a-res-80-173:para-121"]),  # as the service prints it
        ("GDC para 8 (b)", ["gdc:para-8-b"]),
        ("第80/173号决议第57段", ["a-res-80-173:para-57"]),
        ("paragraphs 65 and 66 of resolution 80/173", ["a-res-80-173:para-65", "a-res-80-173:para-66"]),
    ],
)
def test_a_citation_names_its_clauses_verbatim(client: TestClient, retriever, ref: str, ids: list[str]) -> None:
    body = client.get("/cite", params={"ref": ref}).json()
    assert [c["id"] for c in body["clauses"]] == ids
    assert [c["text"] for c in body["clauses"]] == [retriever.get(i).text for i in ids]
    assert body["missing_clauses"] == [] and body["missing_documents"] == []


def test_a_citation_of_what_the_corpus_lacks_says_so(client: TestClient) -> None:
    body = client.get("/cite", params={"ref": "A/RES/80/173, para. 140"}).json()
    assert body["clauses"] == [] and body["missing_clauses"][0]["locator"] == "para. 140"
    body = client.get("/cite", params={"ref": "A/RES/80/118, para. 3"}).json()
    assert body["clauses"] == [] and body["missing_documents"] == [{"symbol": "A/RES/80/118", "cited_by": 0}]
    paragraph = client.get("/cite", params={"ref": "GDC para 8"}).json()["clauses"]
    assert paragraph[0]["id"] == "gdc:para-8" and {"gdc:para-8-a", "gdc:para-8-b"} <= {c["id"] for c in paragraph}
    assert client.get("/cite", params={"ref": "   "}).status_code == 422


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/search",
        "/ask",
        "/documents",
        "/documents/{doc_id}",
        "/passages/{passage_id}",
        "/cite",
        "/healthz",
        "/readyz",
    ):
        assert path in spec["paths"]
    ok = spec["paths"]["/search"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/SearchResponse")
    assert "application/problem+json" in spec["paths"]["/ask"]["post"]["responses"]["413"]["content"]
    assert "swagger-ui" in client.get("/docs").text


def test_pages_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'id="q"' in page.text and "/static/common.js" in page.text
    assert '"/mandates"' in client.get("/static/common.js").text  # the header's Mandates link
    view = client.get("/documents/gdc/view")
    assert view.status_code == 200 and "document.js" in view.text
