"""Faithful text (issue 22): the PyMuPDF layout reader keeps every word but the furniture,
whatever path brings the text in; pieces end where sentences end; the audit finds what a
reader lost. Hand-made pages in the layout PyMuPDF writes (lines ending in a space, blank
lines holding a space, pages joined by an empty line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsis_rag.core.vocabulary import ClauseKind, Passage
from wsis_rag.ingest import pipeline
from wsis_rag.ingest.audit import audit_document
from wsis_rag.ingest.clauses import ClauseCollector, StructureResult
from wsis_rag.ingest.collection import CollectionRecord
from wsis_rag.ingest.passages import SENTENCE_CEILING, count_tokens, split_spans
from wsis_rag.ingest.pipeline import ingest_file, ingest_record
from wsis_rag.ingest.pymupdf_layout import is_pymupdf_text, pymupdf_blocks
from wsis_rag.ingest.source import SourceDocument

MASTHEAD = (
    "United Nations \nA/RES/99/9\n \n \nGeneral Assembly \nDistr.: General \n3 March 2026 \n \n"
    "26-01234 (E)    040326    050326 \n*2601234* \n \n \nNinety-ninth session \nAgenda item 12 \n \n \n"
    " 99/9. Oceans and cables \n \n \nThe General Assembly, \n \n"
)
PAGE_1 = MASTHEAD + (
    "Recalling its resolutions 77/1 and \n78/330 \nof \n6 September \n2024 \non \nmultilingualism,1 \n"
    "Welcoming the work of the Advisory Body,2 \n \n"
    "1. Notes the work of the Advisory Body for Submarine Cable Resilience, established in \nNovember \n"
    "2024 \nby the International Telecommunication Union, and of its partners in the \n"
    "regional systems –\nwhich the present resolution names, \n \n"
    "* On behalf of the States Members of the Group of 77. \n"
    "__________________ \n \n1 Resolution 78/330. \n \n2 A/99/100. \n"
)
PAGE_2 = (
    "A/RES/99/9 \nOceans and cables \n \n26-01234\n2/2 \n \n \n"
    "while recognizing the need for continued cooperation; \n \n"
    "2. Requests the Secretary-General to report at its hundredth session. \n"
)
TEXT = PAGE_1 + "\n" + PAGE_2


def _record() -> CollectionRecord:
    return CollectionRecord(Path("coll.jsonl"), 1, "A/RES/99/9", "Oceans and cables", "A_RES_99_9.pdf", TEXT)


def test_the_layout_is_recognised_from_the_text_itself() -> None:
    assert is_pymupdf_text(TEXT)
    assert not is_pymupdf_text("Plain text.\n\nAnother paragraph of plain text.\n")


def test_a_year_or_a_symbol_alone_on_a_line_is_text_and_the_page_label_is_not() -> None:
    body = [b.text for b in pymupdf_blocks(TEXT, "A/RES/99/9") if not b.footnote]
    recalling = next(text for text in body if text.startswith("Recalling"))
    assert recalling == "Recalling its resolutions 77/1 and 78/330 of 6 September 2024 on multilingualism,"
    notes = next(text for text in body if text.startswith("1. Notes"))
    assert "established in November 2024 by the International Telecommunication Union" in notes
    assert not any("2/2" in text or "26-01234" in text or "2601234" in text for text in body)


def test_a_dash_at_a_line_end_stands_between_words() -> None:
    body = " ".join(b.text for b in pymupdf_blocks(TEXT, "A/RES/99/9"))
    assert "regional systems – which the present resolution names" in body


def test_footnote_marks_leave_the_text_and_notes_become_footnotes() -> None:
    blocks = pymupdf_blocks(TEXT, "A/RES/99/9")
    body = [b.text for b in blocks if not b.footnote]
    notes = [b.text for b in blocks if b.footnote]
    assert "Welcoming the work of the Advisory Body," in body  # its mark "2" is gone, a paragraph of its own
    assert notes == ["* On behalf of the States Members of the Group of 77.", "1 Resolution 78/330.", "2 A/99/100."]


def test_a_paragraph_cut_by_the_page_is_joined_and_a_numbered_one_is_not() -> None:
    body = [b.text for b in pymupdf_blocks(TEXT, "A/RES/99/9") if not b.footnote]
    assert body[-2].endswith("names, while recognizing the need for continued cooperation;")
    assert body[-1].startswith("2. Requests")


def test_a_text_file_in_the_layout_reads_as_the_collection_record(tmp_path: Path) -> None:
    path = tmp_path / "A_RES_99_9.txt"
    path.write_text(TEXT, encoding="utf-8")
    from_file = ingest_file(path)
    from_record = ingest_record(_record())
    assert [(c.anchor, c.locator, c.text) for c in from_file.clauses] == [
        (c.anchor, c.locator, c.text) for c in from_record.clauses
    ]
    assert [c.anchor for c in from_file.clauses if c.kind != ClauseKind.FOOTNOTE] == [
        "title",
        "preamble-1",
        "preamble-2",
        "para-1",
        "para-2",
    ]


def test_pieces_end_where_sentences_end() -> None:
    sentence = "The Assembly notes the report of the Secretary-General on the matter. "
    text = (sentence * 40).strip()
    spans = split_spans(text, 64)
    assert len(spans) > 1
    assert all(text[start:end].endswith(".") for start, end in spans)
    assert all(count_tokens(text[start:end]) <= 64 for start, end in spans)


def test_one_long_sentence_stays_whole_up_to_the_ceiling_and_is_cut_at_commas_beyond() -> None:
    clause = "the Assembly recalls its earlier work on oceans and cables"
    within = ", ".join([clause] * 6) + "."
    budget = int(count_tokens(within) / (SENTENCE_CEILING - 0.1))
    assert count_tokens(within) > budget
    assert split_spans(within, budget) == [(0, len(within))]
    beyond = ", ".join([clause] * 40) + "."
    spans = split_spans(beyond, budget)
    assert len(spans) > 1
    assert all(beyond[start:end].endswith((",", ".")) for start, end in spans)


def test_the_audit_finds_a_lost_word_furniture_and_a_cut_inside_a_sentence() -> None:
    record = _record()
    doc = ingest_record(record)
    clean = audit_document(doc.passages, record.text, max_tokens=256)
    assert clean.lost_words == [] and clean.furniture == [] and clean.mid_sentence_cuts == []
    assert clean.source_words > 50

    damaged = [p.model_copy(update={"text": p.text.replace("November 2024", "November")}) for p in doc.passages]
    damaged[1] = damaged[1].model_copy(update={"text": damaged[1].text + " 26-01234 (E)"})
    cut = damaged[2].model_copy(update={"text": "Recalling its resolutions", "piece": 1, "pieces": 2})
    audit = audit_document([*damaged[:2], cut, *damaged[2:]], record.text, max_tokens=256)
    assert audit.lost_words == ["2024"]
    assert audit.furniture == [damaged[1].id]
    assert audit.mid_sentence_cuts == [cut.id]


def test_the_audit_counts_unnumbered_text_clauses_and_says_what_they_are() -> None:
    passage = ingest_record(_record()).passages[1]

    def text_clause(anchor: str, text: str) -> Passage:
        return passage.model_copy(update={"kind": ClauseKind.TEXT, "anchor": anchor, "id": f"x:{anchor}", "text": text})

    clauses = [
        text_clause("text-1", "Gross Net 56 234 300 51 375 900 (3 100) 62 287 400"),
        text_clause("text-2", "Russian Federation: amendment to draft resolution A/80/L.18"),
        text_clause("text-3", "In order to ensure adequate follow-up, we:"),
        text_clause("annex-text-1", "Priority area 1: Structural transformation"),
        text_clause("text-4", "Approves the report of the Credentials Committee."),
        text_clause("closing", "100th plenary meeting 16 July 2024"),
    ]
    assert audit_document(clauses, None, max_tokens=256).text_clauses == {
        "x:text-1": "table",
        "x:text-2": "amendment",
        "x:text-3": "lead-in",
        "x:annex-text-1": "heading",
        "x:text-4": "unnumbered paragraph",
    }


def test_a_pdf_extraction_of_no_known_layout_is_read_as_plain_text_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text(
        "Some report\n\n26-01234 (E)\n\nThe first paragraph of the report.\n\nThe second paragraph.\n", encoding="utf-8"
    )
    doc = ingest_file(path)
    assert any("looks extracted from a PDF (job numbers or barcodes)" in w for w in doc.warnings)
    assert "The second paragraph." in " ".join(p.text for p in doc.passages)
    plain = tmp_path / "plain.txt"
    plain.write_text("A plain note.\n\nIts second paragraph.\n", encoding="utf-8")
    assert ingest_file(plain).warnings == []


def test_a_block_that_no_clause_holds_is_named_in_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "note.txt"
    path.write_text("A plain note.\n\nA paragraph the parser drops.\n\nIts last paragraph.\n", encoding="utf-8")

    def dropping(doc: SourceDocument) -> StructureResult:
        collector = ClauseCollector(doc)
        for block in doc.body:
            if "drops" not in block.text:
                collector.add(ClauseKind.TEXT, f"text-{block.index}", f"text {block.index}", [block])
        return collector.result()

    monkeypatch.setitem(pipeline.STRUCTURES, "generic", dropping)
    assert ingest_file(path).warnings == ["1 block(s) of text in no clause: 'A paragraph the parser drops.'"]
