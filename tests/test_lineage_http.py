"""GET /documents/{id}/lineage over the real index of the shared corpus: the WSIS+20
outcome (A/RES/80/173) cites the Global Digital Compact, which is cited by it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from wsis_rag.core.settings import Settings
from wsis_rag.service.app import create_app


@pytest.fixture(scope="module")
def client(built_index: Settings, retriever) -> Iterator[TestClient]:
    with TestClient(create_app(built_index, retriever, mcp=False)) as test_client:
        yield test_client


def test_the_outcome_cites_the_compact_and_the_compact_is_cited_by_it(client: TestClient) -> None:
    outcome = client.get("/documents/a-res-80-173/lineage").json()
    to_gdc = [
        (group["verb"], edge)
        for group in outcome["cites"]
        for edge in group["edges"]
        if edge["document"]["doc_id"] == "gdc"
    ]
    assert to_gdc, "A/RES/80/173 names the Global Digital Compact in many paragraphs"
    assert {verb for verb, _ in to_gdc} >= {"recognizes", "stresses"}
    assert all(edge["clause"]["id"].startswith("a-res-80-173:") for _, edge in to_gdc)
    # The Tunis Agenda is not in this index: named by its symbol, with no document id.
    tunis = [e for g in outcome["cites"] for e in g["edges"] if e["document"]["symbol"] == "WSIS-05/TUNIS/DOC/6(Rev.1)"]
    assert tunis and all(e["document"]["doc_id"] is None for e in tunis)
    compact = client.get("/documents/gdc/lineage").json()
    citing = {e["clause"]["id"].split(":")[0] for g in compact["cited_by"] for e in g["edges"]}
    assert citing == {"a-res-80-173"}
    assert compact["cited_by_total"] == len(to_gdc)


def test_lineage_of_an_unknown_document_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/documents/a-res-1-1/lineage")
    assert response.status_code == 404
    assert response.json()["status"] == 404
