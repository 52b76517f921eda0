"""Ingestion of the shared corpus's text files (the reference for every other format)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.ingest.passages import SENTENCE_CEILING
from wsis_rag.ingest.pipeline import IngestedDocument, ingest_corpus, ingest_file

RES_80_173 = "A_RES_80_173_en.md"
GDC = "A_RES_79_1_annexI_Global_Digital_Compact_en.md"
REPORT = "ITU_Council_2026_CWG-WSIS-SDG_chair_report_zh.txt"


def ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def res(shared_corpus: Path) -> IngestedDocument:
    return ingest_file(shared_corpus / RES_80_173)


@pytest.fixture(scope="module")
def gdc(shared_corpus: Path) -> IngestedDocument:
    return ingest_file(shared_corpus / GDC)


@pytest.fixture(scope="module")
def report(shared_corpus: Path) -> IngestedDocument:
    return ingest_file(shared_corpus / REPORT)


def anchors(doc: IngestedDocument, kind: ClauseKind) -> list[str]:
    return [c.anchor for c in doc.clauses if c.kind == kind]


def test_res_80_173_operative_paragraphs_1_to_127_in_order(res: IngestedDocument) -> None:
    assert anchors(res, ClauseKind.PARAGRAPH) == [f"para-{n}" for n in range(1, 128)]
    para = {c.anchor: c for c in res.clauses}
    assert para["para-121"].text.startswith("121. We call for the continuation and strengthening")
    assert para["para-1"].heading_path == ["Introduction"]
    assert para["para-99"].heading_path == ["Internet governance"]


def test_res_80_173_title_opening_preamble_and_footnotes(res: IngestedDocument) -> None:
    clauses = {c.anchor: c for c in res.clauses}
    assert clauses["title"].text.startswith("United Nations A/RES/80/173")
    assert "80/173. Outcome document" in clauses["title"].text
    assert clauses["opening"].text.startswith("We, the Ministers and heads of delegations")
    assert anchors(res, ClauseKind.PREAMBLE) == ["opening"] + [f"preamble-{n}" for n in range(1, 8)]
    assert clauses["preamble-1"].text.startswith("Recalling the outcome document")
    assert clauses["preamble-7"].text.startswith("Building on the 20-year review report")
    assert clauses["preamble-3"].locator == "preambular para. 3"
    assert anchors(res, ClauseKind.FOOTNOTE) == [f"footnote-{n}" for n in range(1, 13)]
    assert clauses["footnote-2"].text == "2 Resolution 217 A (III)."
    body = [c for c in res.clauses if c.kind != ClauseKind.FOOTNOTE]
    assert not any("Resolution 217 A (III)" in c.text for c in body), "footnote text leaked into the body"


def test_passage_ids_locators_and_labels(
    res: IngestedDocument, gdc: IngestedDocument, report: IngestedDocument
) -> None:
    by_id = {p.id: p for d in (res, gdc, report) for p in d.passages}
    assert by_id["a-res-80-173:para-121"].label == "A/RES/80/173, para. 121"
    assert by_id["a-res-80-173:preamble-3"].label == "A/RES/80/173, preambular para. 3"
    assert by_id["gdc:para-8-b"].label == "GDC, para. 8 (b)"
    assert by_id["gdc:para-8-b"].text.startswith("(b) This Compact is development-oriented")
    assert by_id["council-report-2026:s7-p3"].label == "Council report, section 7, para. 3"
    assert by_id["council-report-2026:front-purpose"].locator == "front part: 目的 (purpose)"
    assert by_id["a-res-80-173:para-121"].pages == [] and by_id["a-res-80-173:para-121"].page is None


def test_gdc_paragraphs_1_to_74_and_lettered_subparagraphs(gdc: IngestedDocument) -> None:
    assert anchors(gdc, ClauseKind.PARAGRAPH) == [f"para-{n}" for n in range(1, 75)]
    subs = [c for c in gdc.clauses if c.kind == ClauseKind.SUBPARAGRAPH]
    assert len(subs) > 80
    for sub in subs:
        number, letter = re.fullmatch(r"para-(\d+)-([a-z])", sub.anchor).groups()  # type: ignore[union-attr]
        assert sub.locator == f"para. {number} ({letter})"
        assert sub.text.startswith(f"({letter}) ")
    clauses = {c.anchor: c for c in gdc.clauses}
    # (i) after (h) is the letter i, not a roman item
    assert clauses["para-8-i"].text.startswith("(i) Safe, secure and trustworthy emerging technologies")
    # a subparagraph cites itself but carries its paragraph's lead-in for retrieval
    assert clauses["para-11-d"].context.endswith("11. We commit, by 2030, to:")
    assert "Giga initiative" in clauses["para-11-d"].text


def test_gdc_objectives_stay_inside_paragraph_7(gdc: IngestedDocument) -> None:
    para7 = next(c for c in gdc.clauses if c.anchor == "para-7")
    assert para7.text.startswith("7. To achieve our goal")
    assert "1. Close all digital divides" in para7.text
    assert para7.text.endswith(
        "5. Enhance international governance of artificial intelligence for the benefit of humanity."
    )
    assert any("'1.' after para. 7" in w for w in gdc.warnings)


def test_council_report_front_part_and_sections(report: IngestedDocument) -> None:
    assert anchors(report, ClauseKind.FRONT) == [
        "front-purpose",
        "front-action",
        "front-strategic-plan",
        "front-financial",
        "front-references",
    ]
    paragraphs = anchors(report, ClauseKind.SECTION_PARAGRAPH)
    per_section = {s: sum(a.startswith(f"s{s}-") for a in paragraphs) for s in range(1, 9)}
    assert per_section == {1: 1, 2: 3, 3: 2, 4: 3, 5: 2, 6: 2, 7: 4, 8: 1}
    clauses = {c.anchor: c for c in report.clauses}
    # the heading of section 4 wraps onto "情况": that line is part of the heading, not para. 1
    assert clauses["s4-p1"].heading_path == ["4 2025年WSIS+20高级别活动成果以及2026年WSIS行动呼吁的最新情况"]
    assert clauses["s4-p1"].text.startswith("2025年WSIS论坛于7月7日至11日在日内瓦举行")
    assert clauses["s2-p3"].text.startswith("–") and "第44次会议" in clauses["s2-p3"].text
    assert clauses["front-financial"].text == "在2025-2026年划拨预算范围内。"
    assert {p.lang for p in report.passages} == {"zh"}


def test_offsets_point_into_the_normalised_text(
    res: IngestedDocument, gdc: IngestedDocument, report: IngestedDocument
) -> None:
    for doc in (res, gdc, report):
        for clause in doc.clauses:
            assert doc.text[clause.char_start : clause.char_end] == clause.text
        for passage in doc.passages:
            assert doc.text[passage.char_start : passage.char_end] == passage.text
        assert [p.order for p in doc.passages] == list(range(len(doc.passages)))
        assert len({p.id for p in doc.passages}) == len(doc.passages)


def test_long_clauses_split_under_the_token_budget(report: IngestedDocument, shared_corpus: Path) -> None:
    assert all(p.n_tokens <= 256 for p in report.passages)
    split = [p for p in report.passages if p.pieces > 1]
    assert split, "the Chinese paragraphs exceed 256 tokens and must be split"
    first = split[0]
    later = [p for p in split if p.anchor == first.anchor]
    assert [p.id for p in later] == [f"council-report-2026:{first.anchor}"] + [
        f"council-report-2026:{first.anchor}~{n}" for n in range(2, first.pieces + 1)
    ]
    assert all(p.locator == first.locator and p.label == first.label for p in later)
    assert all(p.text.endswith(("。", "；")) for p in later[:-1]), "pieces end at sentence ends"
    small = ingest_file(shared_corpus / RES_80_173, max_tokens=40)
    # a whole sentence may fill the ceiling; only a longer one is cut
    assert all(p.n_tokens <= 40 * SENTENCE_CEILING for p in small.passages if p.kind != ClauseKind.TITLE)
    assert {p.anchor for p in small.passages} == {c.anchor for c in small.clauses}


def test_every_dev_snippet_is_in_exactly_one_passage(
    res: IngestedDocument, gdc: IngestedDocument, report: IngestedDocument, dev_set: Path
) -> None:
    passages = [p for d in (res, gdc, report) for p in d.passages]
    checked = 0
    for line in dev_set.read_text(encoding="utf-8").splitlines():
        for item in json.loads(line)["relevant"]:
            holders = [p.id for p in passages if ws(item["snippet"]) in ws(p.text)]
            assert len(holders) == 1, (item, holders)
            checked += 1
    assert checked >= 50


def test_ingest_corpus_finds_the_shared_texts(shared_corpus: Path) -> None:
    result = ingest_corpus(Settings(corpus_dirs=[shared_corpus]))
    assert {d.meta.id for d in result.documents} == {"a-res-80-173", "gdc", "council-report-2026"}
    assert "a-res-70-125" in result.missing and not result.errors
    for doc in result.documents:
        assert len(doc.content_hash) == 64 and doc.source.parent == shared_corpus
