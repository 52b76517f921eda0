"""The comparison on real documents of the UN collection (../shared/un-corpus): a Second
Committee draft and the resolution adopted from it, over HTTP, on the command line (the DOCX
redline) and in the web page in Chromium; the longest documents within the time allowed.

The documents are ingested from the collection and served from an index held in memory
without encoders: the comparison reads passages, never embeddings."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wsis_rag.core.settings import PROJECT_ROOT, Settings
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.ingest.collection import CollectionRecord, read_collection
from wsis_rag.ingest.pipeline import ingest_record
from wsis_rag.service.app import create_app

DRAFT, ADOPTED = "A/C.2/80/L.10", "A/RES/80/120"
CONVENTION, PACT = "A/RES/79/243", "A/RES/79/1"  # the longest documents of the collection
LABELS = PROJECT_ROOT / "eval" / "sets" / "compare" / "ac2-80-l10__ares-80-120.json"
# Issue 26: the longest documents compare within 2 s on this machine (HTTP included).
WITHIN_S = 2.0


@pytest.fixture(scope="module")
def collection_retriever(shared_corpus: Path) -> HybridRetriever:
    wanted = {DRAFT, ADOPTED, CONVENTION, PACT}
    documents = [
        ingest_record(record)
        for record in read_collection(shared_corpus.parent / "un-corpus" / "un-documents-78-80.jsonl.gz")
        if isinstance(record, CollectionRecord) and record.symbol in wanted
    ]
    assert len(documents) == len(wanted)
    return build_retriever([p for d in documents for p in d.passages], [d.meta for d in documents], {})


@pytest.fixture(scope="module")
def client(collection_retriever: HybridRetriever, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(index_dir=tmp_path_factory.mktemp("no-index"))
    with TestClient(create_app(settings, collection_retriever, mcp=False)) as test_client:
        yield test_client


def test_a_draft_and_its_resolution_differ_where_the_labels_say(client: TestClient) -> None:
    response = client.get("/compare", params={"a": DRAFT, "b": "a-res-80-120"})
    assert response.status_code == 200
    body = response.json()
    assert (body["a"]["symbol"], body["b"]["symbol"], body["warnings"]) == (DRAFT, ADOPTED, [])
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["pairs"]
    labelled = {(p["a"], p["b"]): p["status"] for p in labels}
    found = {(_anchor(p["a"]), _anchor(p["b"])): p["status"] for p in body["pairs"]}
    # The adopted text alone has the plenary meeting's line (its closing formula): no paragraph.
    assert found.pop((None, "closing")) == "added"
    changed = {pair for pair, status in labelled.items() if status == "changed"}
    assert changed and {pair for pair, status in found.items() if status == "changed"} == changed
    assert found == labelled
    summary = body["summary"]
    assert sum(summary[s] for s in ("unchanged", "changed", "added", "deleted", "moved")) == len(labels) + 1
    assert summary["by_part"]["preamble"]["changed"] == 2
    preamble_6 = next(p for p in body["pairs"] if p["a"] == "a-c-2-80-l-10:preamble-6")
    edits = [(c["op"], c["text"].strip()) for c in preamble_6["changes"] if c["op"] != "equal"]
    assert ("delete", "Welcoming") in edits and ("insert", "Noting") in edits and ("insert", "General") in edits
    assert preamble_6["a_labels"] == [f"{DRAFT}, preambular para. 6"]


def _anchor(passage_id: str | None) -> str | None:
    return passage_id.split(":", 1)[1] if passage_id else None


def test_an_unknown_name_is_404_as_for_other_parameters_and_both_are_needed(client: TestClient) -> None:
    # As /search?doc= and /mandates?actor=: a well-formed name that names nothing is not found
    # (a 422 would tell the API's fuzzer that a value its schema allows was refused).
    unknown = client.get("/compare", params={"a": DRAFT, "b": "A/RES/12/345"})
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.json()["detail"].startswith("b: unknown document 'A/RES/12/345'")
    assert client.get("/compare", params={"a": DRAFT}).status_code == 422


@pytest.mark.parametrize("symbol", [CONVENTION, PACT])
def test_the_longest_documents_compare_with_themselves_in_time(client: TestClient, symbol: str) -> None:
    started = time.perf_counter()
    body = client.get("/compare", params={"a": symbol, "b": symbol}).json()
    took = time.perf_counter() - started
    assert {p["status"] for p in body["pairs"]} == {"unchanged"} and len(body["pairs"]) > 150
    assert any(part.startswith("annex") for part in body["summary"]["by_part"])
    assert took < WITHIN_S, f"{symbol}: {took:.2f} s"


def test_two_unrelated_documents_get_a_warning(client: TestClient) -> None:
    body = client.get("/compare", params={"a": PACT, "b": CONVENTION}).json()
    assert body["pairs"] == [] and len(body["warnings"]) == 1 and body["similarity"] < 0.3


def test_the_docx_redline_underlines_insertions_and_strikes_deletions(
    collection_retriever: HybridRetriever, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wsis_rag.cli.main import app

    monkeypatch.setattr("wsis_rag.index.api.load_retriever", lambda settings: collection_retriever)
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(app, ["compare", DRAFT, ADOPTED, "--format", "docx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = Document(io.BytesIO(out.read_bytes()))
    runs = [run for paragraph in doc.paragraphs for run in paragraph.runs]
    inserted = [r.text.strip() for r in runs if r.font.underline and not r.font.strike]
    deleted = [r.text.strip() for r in runs if r.font.strike and not r.font.underline]
    assert "Noting" in inserted and "Welcoming" in deleted
    cites = [p.text for p in doc.paragraphs if " → " in p.text]
    assert f"{DRAFT}, preambular para. 6 → {ADOPTED}, preambular para. 6 · changed" in cites
    assert any(c.startswith(f"(not in {DRAFT}) → {ADOPTED}, para. 9 · added") for c in cites)


def test_the_compare_view_shows_both_texts_side_by_side(
    chromium, collection_retriever: HybridRetriever, tmp_path: Path, artifacts_dir: Path
) -> None:
    from http_server import running_server

    app = create_app(Settings(index_dir=tmp_path / "no-index"), collection_retriever, mcp=False)
    with running_server(app) as url:
        context = chromium.new_context(viewport={"width": 1280, "height": 1000}, base_url=url)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto("/documents/a-c-2-80-l-10/view")
        page.click("a.compare-link")
        page.wait_for_function("document.querySelectorAll('#doc-b option').length > 1")
        assert page.locator("#doc-a").input_value() == "a-c-2-80-l-10"
        page.select_option("#doc-b", "a-res-80-120")
        page.click("button[type=submit]")
        page.wait_for_selector("#comparison:not([hidden])")
        assert "a=a-c-2-80-l-10" in page.url and "b=a-res-80-120" in page.url
        assert page.locator("#comparison-title").inner_text() == f"{DRAFT} → {ADOPTED}"
        row = page.locator(".pair", has=page.locator("a", has_text=f"{ADOPTED}, preambular para. 6"))
        sides = row.locator(".side")
        assert sides.nth(0).locator("del").first.inner_text().strip() == "Welcoming"
        assert sides.nth(1).locator("ins").first.inner_text().strip() == "Noting"
        assert sides.nth(0).locator("ins").count() == 0 and sides.nth(1).locator("del").count() == 0
        assert row.locator(".badge").inner_text().lower() == "changed"
        added = page.locator(".pair.status-added", has=page.locator("a", has_text=f"{ADOPTED}, para. 9"))
        assert added.locator(".side").nth(0).get_attribute("class") == "side empty"
        row.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "compare.png"))
        context.close()
