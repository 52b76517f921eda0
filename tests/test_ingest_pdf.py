"""The PDFs of ../shared/corpus/pdf give the same clauses, ids and locators as the texts,
with pages, and without running headers, footers or footnotes inside the body."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.ingest.clauses import Clause
from wsis_rag.ingest.pipeline import IngestedDocument, ingest_file

PAIRS = {
    "a-res-80-173": ("A_RES_80_173_en.md", "A_RES_80_173_en.pdf"),
    "gdc": ("A_RES_79_1_annexI_Global_Digital_Compact_en.md", "A_RES_79_1_annexI_GDC_en.pdf"),
    "council-report-2026": (
        "ITU_Council_2026_CWG-WSIS-SDG_chair_report_zh.txt",
        "ITU_council_CWG-WSIS-SDG_report_zh.pdf",
    ),
}
# Running headers/footers of the PDFs, the page-1 job number and barcode.
FURNITURE = [
    "25-20874",
    "24-16433",
    "*2520874*",
    "The Pact for the Future",
    "Outcome document of the high-level meeting of the General Assembly on the overall review of the implementation of the outcomes of the World Summit on the Information Society",
]
PAGE_MARK = re.compile(r"\b\d{1,2}/(20|56)\b")


def _squeeze(text: str) -> str:
    """Without whitespace, non-breaking hyphens as hyphens: what the PDF and text must share."""
    return re.sub(r"\s", "", text).replace("\u2011", "-")


def _with_marks(clause: Clause) -> str:
    text = clause.text
    for ref in reversed(clause.footnote_refs):
        at = ref.at - clause.char_start
        text = text[:at] + ref.mark + text[at:]
    return text


def ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def ingested(shared_corpus: Path, shared_pdf: Path) -> dict[str, tuple[IngestedDocument, IngestedDocument]]:
    return {
        doc_id: (ingest_file(shared_corpus / text), ingest_file(shared_pdf / pdf))
        for doc_id, (text, pdf) in PAIRS.items()
    }


@pytest.mark.parametrize("doc_id", list(PAIRS))
def test_pdf_and_text_give_identical_ids_and_locators(ingested, doc_id: str) -> None:  # type: ignore[no-untyped-def]
    from_text, from_pdf = ingested[doc_id]
    assert from_pdf.meta.id == doc_id
    assert [(p.id, p.locator, p.label) for p in from_pdf.passages] == [
        (p.id, p.locator, p.label) for p in from_text.passages
    ]


def test_operative_paragraphs_from_the_pdfs(ingested) -> None:  # type: ignore[no-untyped-def]
    res, gdc = ingested["a-res-80-173"][1], ingested["gdc"][1]
    assert [c.anchor for c in res.clauses if c.kind == ClauseKind.PARAGRAPH] == [f"para-{n}" for n in range(1, 128)]
    assert [c.anchor for c in gdc.clauses if c.kind == ClauseKind.PARAGRAPH] == [f"para-{n}" for n in range(1, 75)]
    subs = [c for c in gdc.clauses if c.kind == ClauseKind.SUBPARAGRAPH]
    assert len(subs) == 89
    for sub in subs:
        number, letter = re.fullmatch(r"para-(\d+)-([a-z])", sub.anchor).groups()  # type: ignore[union-attr]
        assert sub.locator == f"para. {number} ({letter})" and sub.text.startswith(f"({letter}) ")


def test_council_report_pdf_front_part_and_sections(ingested) -> None:  # type: ignore[no-untyped-def]
    report = ingested["council-report-2026"][1]
    clauses = {c.anchor: c for c in report.clauses}
    assert [a for a in clauses if a.startswith("front-")] == [
        "front-purpose",
        "front-action",
        "front-strategic-plan",
        "front-financial",
        "front-references",
    ]
    sections = {int(a[1 : a.index("-")]) for a in clauses if re.fullmatch(r"s\d+-p\d+", a)}
    assert sections == set(range(1, 9))
    assert clauses["front-purpose"].pages == [1]
    assert clauses["s1-p1"].pages == [2]
    assert clauses["s4-p2"].pages == [3]  # a paragraph starting at the top of page 3
    assert clauses["s4-p2"].text.startswith("科学和技术促进发展委员会")
    assert clauses["s8-p1"].pages == [4]


def test_pages_of_pdf_clauses(ingested) -> None:  # type: ignore[no-untyped-def]
    res, gdc = ingested["a-res-80-173"][1], ingested["gdc"][1]
    by_anchor = {c.anchor: c for c in res.clauses}
    assert by_anchor["para-1"].pages == [2]
    assert by_anchor["para-5"].pages == [2, 3]  # runs across the page break, around the footnotes
    assert by_anchor["para-127"].pages == [20]
    assert by_anchor["preamble-1"].pages == [1]
    assert by_anchor["footnote-12"].pages == [14]
    assert {c.anchor: c.pages for c in gdc.clauses}["para-1"] == [1]
    for doc in (res, gdc, ingested["council-report-2026"][1]):
        for passage in doc.passages:
            assert passage.pages and passage.page == passage.pages[0]
            assert passage.pages == sorted(passage.pages)


def test_wrapped_lines_rejoined_to_the_text_version(ingested) -> None:  # type: ignore[no-untyped-def]
    for from_text, from_pdf in ingested.values():
        text_clauses = {c.anchor: c for c in from_text.clauses}
        for clause in from_pdf.clauses:
            if clause.kind == ClauseKind.TITLE:
                continue
            reference = text_clauses[clause.anchor].text
            # The text files glue footnote marks to words ("Commitment,1 which"); the PDF
            # keeps them beside the text: put back where they stand, they give the same text.
            assert _squeeze(_with_marks(clause)) == _squeeze(reference), clause.anchor
    para5 = {c.anchor: c for c in ingested["a-res-80-173"][1].clauses}["para-5"]
    assert "emerging information and communications technology challenges" in para5.text
    assert "High-level Event" in {c.anchor: c for c in ingested["a-res-80-173"][1].clauses}["preamble-7"].text


def test_no_running_header_or_footer_inside_passages(ingested) -> None:  # type: ignore[no-untyped-def]
    for from_text, from_pdf in ingested.values():
        reference = {p.id: ws(p.text) for p in from_text.passages}
        for passage in from_pdf.passages:
            if passage.kind == ClauseKind.TITLE:
                continue
            text = ws(passage.text)
            for mark in FURNITURE:
                assert text.count(mark) == reference[passage.id].count(mark), (passage.id, mark)
            assert not PAGE_MARK.search(text) or PAGE_MARK.search(reference[passage.id]), passage.id
        report_pdf = ingested["council-report-2026"][1]
        assert not any(re.search(r"[。）]\s*[1-4]\s*$", p.text) for p in report_pdf.passages), "page number kept"


def test_footnotes_kept_apart_in_the_pdf(ingested) -> None:  # type: ignore[no-untyped-def]
    res = ingested["a-res-80-173"][1]
    footnotes = [c for c in res.clauses if c.kind == ClauseKind.FOOTNOTE]
    assert [c.anchor for c in footnotes] == [f"footnote-{n}" for n in range(1, 13)]
    assert footnotes[0].text == "1 Resolution 79/323, annex."
    body = " ".join(c.text for c in res.clauses if c.kind != ClauseKind.FOOTNOTE)
    assert "Resolution 79/323, annex" not in body and "Treaty Series, vol. 2515" not in body
    gdc = ingested["gdc"][1]
    assert [c.anchor for c in gdc.clauses if c.kind == ClauseKind.FOOTNOTE] == [f"footnote-{n}" for n in range(17, 23)]


def test_pdf_dev_snippets_found_once(ingested, dev_set: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    passages = [p for _, from_pdf in ingested.values() for p in from_pdf.passages]
    for line in dev_set.read_text(encoding="utf-8").splitlines():
        for item in json.loads(line)["relevant"]:
            snippet = re.sub(r"\s", "", item["snippet"])
            holders = [p.id for p in passages if snippet in re.sub(r"\s", "", p.text)]
            assert len(holders) == 1, (item, holders)
