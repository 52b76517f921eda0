"""The mandate view over real HTTP: JSON for API clients, the page for browsers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


def test_document_mandates_for_itu(http: httpx.Client) -> None:
    response = http.get("/documents/a-res-80-173/mandates", params={"actor": "ITU"})
    assert response.status_code == 200
    body = response.json()
    assert body["actor"] == "itu" and body["documents"] == ["a-res-80-173"]
    labels = [m["label"] for m in body["mandates"]]
    for n in (67, 107, 110, 121):
        assert f"A/RES/80/173, para. {n}" in labels
    m121 = next(m for m in body["mandates"] if m["label"].endswith("para. 121"))
    assert m121["pattern"] == "secretariat-provided-by" and m121["url"] == "https://docs.un.org/en/A/RES/80/173"
    assert m121["text"].startswith("121. We call for") and m121["locator"] == "para. 121"


def test_corpus_mandates_in_chinese_find_the_council_report(http: httpx.Client) -> None:
    body = http.get("/mandates", params={"actor": "国际电联"}).json()
    assert "council-report-2026:s7-p3" in [m["id"] for m in body["mandates"]]
    assert {"国际电联", "International Telecommunication Union"} <= set(body["matched_aliases"])
    only_gdc = http.get("/mandates", params={"actor": "ITU", "doc": "GDC"}).json()
    assert [m["id"] for m in only_gdc["mandates"]] == ["gdc:para-10"]


def test_browser_navigation_gets_the_page_and_actors_are_listed(http: httpx.Client) -> None:
    page = http.get("/mandates", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "mandates.js" in page.text
    actors = http.get("/mandates/actors").json()
    itu = next(a for a in actors if a["id"] == "itu")
    assert "国际电联" in itu["aliases"]


def test_mandate_errors_are_problems(http: httpx.Client) -> None:
    for url, params, status, fragment in [
        ("/mandates", {"actor": "Nobody"}, 404, "unknown actor 'Nobody'"),
        ("/mandates", {}, 422, "actor: name an actor"),
        ("/documents/no-such-doc/mandates", {"actor": "ITU"}, 404, "no-such-doc"),
        ("/documents/a-res-80-173/mandates", {}, 422, "actor"),
    ]:
        response = http.get(url, params=params)
        assert response.status_code == status, url
        assert response.headers["content-type"] == "application/problem+json"
        assert fragment in response.text
