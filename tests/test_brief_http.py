"""POST /brief over real HTTP (uvicorn on 127.0.0.1): each format with its media type."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest

QUESTION = "What does A/RES/80/173 assign to ITU?"


@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=120) as client:
        yield client


def test_brief_in_each_format(http: httpx.Client) -> None:
    from docx import Document

    md = http.post("/brief", json={"questions": [QUESTION]})
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.text.startswith(f"# Briefing note: {QUESTION}") and "[A/RES/80/173, para. 121](" in md.text

    html = http.post("/brief", json={"questions": [QUESTION], "format": "html"})
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert '<blockquote lang="en" id="a-res-80-173:para-67">' in html.text

    docx = http.post("/brief", json={"questions": [QUESTION], "format": "docx"})
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert 'attachment; filename="briefing-note.docx"' == docx.headers["content-disposition"]
    quotes = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs if p.style.name == "Quote"]
    assert any(q.startswith("121. We call for the continuation") for q in quotes)

    note = http.post("/brief", json={"questions": [QUESTION], "format": "json"}).json()
    ids = [c["id"] for s in note["sections"] for d in s["documents"] for c in d["clauses"]]
    assert {"a-res-80-173:para-67", "a-res-80-173:para-121"} <= set(ids)
    assert note["references"][0]["symbol"] == "A/RES/80/173"


def test_bad_brief_requests_are_problems(http: httpx.Client) -> None:
    for body, fragment, status in [
        ({"questions": []}, "at least 1 item", 422),
        ({"questions": ["  "]}, "questions[0]: has no letter or digit", 422),
        ({"questions": ["x" * 5000]}, "questions[0]: 5000 characters", 422),
        ({"questions": ["ITU"], "format": "pdf"}, "format", 422),
        ({"questions": ["ITU"], "filters": {"doc": ["A/RES/99/1"]}}, "unknown document", 404),
    ]:
        response = http.post("/brief", json=body)
        assert response.status_code == status, body
        assert response.headers["content-type"] == "application/problem+json"
        assert fragment in response.text
