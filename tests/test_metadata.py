"""Metadata read from the document itself (ingest/metadata.py): hand-made mastheads, the
real ITU Resolution 140 and the 40 official UN PDFs of ../shared/un-corpus/pdf."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.core.vocabulary import DocType
from wsis_rag.ingest.metadata import meta_from_document, read_facts
from wsis_rag.ingest.pdf_parser import parse_pdf
from wsis_rag.ingest.source import RawBlock, SourceDocument
from wsis_rag.ingest.text_parser import parse_text

SHARED = Settings().shared_dir
pytestmark = pytest.mark.integration  # reads the shared corpus
UN_PDF = SHARED / "un-corpus" / "pdf"
COLLECTION = SHARED / "un-corpus" / "un-documents-78-80.jsonl.gz"


def _doc(*blocks: str) -> SourceDocument:
    return SourceDocument.from_raw([RawBlock(b) for b in blocks])


def test_a_resolution_masthead_as_a_pdf_spaces_it() -> None:
    doc = _doc(
        "United Nations  A /RES/80/118",
        "General Assembly Distr.: General 30 December 2025",
        "Eightieth session",
        "Agenda item 10 8",
        "Countering the use of information and communications technologies",
        "Resolution adopted by the General Assembly",
        "on 24 December 20 2 5",
        "[ o n the report of the Third Committee ( A/80/460 , para. 15 ) ]",
        "8 0 / 118 . United Nations Convention against Cybercrime;",
        "Strengthening International Cooperation",
        "The General Assembly ,",
        "Recalling its resolution 74/247,",
    )
    meta, shape = meta_from_document(doc, "en", "A_RES_80_118")
    assert (meta.id, meta.symbol, meta.short) == ("a-res-80-118", "A/RES/80/118", "A/RES/80/118")
    assert meta.title == "United Nations Convention against Cybercrime; Strengthening International Cooperation"
    assert (meta.date, meta.agenda_item, meta.type, meta.body) == (
        "2025-12-24",  # the date of adoption, not of issue
        "108",
        DocType.RESOLUTION,
        "UN General Assembly",
    )
    assert shape == "un-resolution"


def test_a_committee_draft_names_its_committee_and_is_a_draft() -> None:
    doc = _doc(
        "United Nations A/C.2/80/L.12",
        "General Assembly Distr.: Limited 3 November 2025 Original: English",
        "Eightieth session Second Committee Agenda item 18 (b) Sustainable development",
        "Mongolia:* draft resolution",
        "* Any changes to the list of sponsors will be reflected in the official record of the meeting.",
        "Combating sand and dust storms",
        "The General Assembly,",
    )
    meta, _ = meta_from_document(doc, "en", "x")
    assert (meta.id, meta.symbol, meta.title) == ("a-c-2-80-l-12", "A/C.2/80/L.12", "Combating sand and dust storms")
    assert (meta.type, meta.body, meta.agenda_item, meta.date) == (
        DocType.DRAFT,
        "UN General Assembly, Second Committee",
        "18 (b)",
        "2025-11-03",
    )


def test_plenary_draft_and_ecosoc_resolution_symbols() -> None:
    draft = read_facts(_doc("United Nations A/80/L.41", "General Assembly Distr.: Limited", "X: draft resolution",
                            "Outcome document of the high-level meeting", "The General Assembly,"))  # fmt: skip
    assert draft is not None and (draft.symbol, draft.type, draft.title) == (
        "A/80/L.41",
        DocType.DRAFT,
        "Outcome document of the high-level meeting",
    )
    ecosoc = read_facts(_doc("United Nations E/RES/2025/18", "Economic and Social Council Distr.: General",
                             "Resolution adopted by the Economic and Social Council on 23 July 2025",
                             "2025/18. Assessment of the progress made", "The Economic and Social Council,"))  # fmt: skip
    assert ecosoc is not None and (ecosoc.symbol, ecosoc.body, ecosoc.date, ecosoc.title) == (
        "E/RES/2025/18",
        "UN Economic and Social Council",
        "2025-07-23",
        "Assessment of the progress made",
    )


def test_a_document_that_says_nothing_about_itself_is_named_by_its_file() -> None:
    meta, shape = meta_from_document(_doc("Notes from the workshop", "Connectivity matters."), "en", "workshop notes")
    assert (meta.id, meta.symbol, meta.title, meta.type, shape) == (
        "workshop-notes",
        "workshop notes",
        "Notes from the workshop",
        DocType.OTHER,
        "generic",
    )


@pytest.mark.integration
def test_itu_resolution_140_states_its_number_and_revision() -> None:
    meta, shape = meta_from_document(parse_text(SHARED / "itu" / "ITU_PP18_RES_140.txt"), "en", "ITU_PP18_RES_140")
    assert (meta.symbol, meta.id, shape) == (
        "Resolution 140 (Rev. Dubai, 2018)",
        "resolution-140-rev-dubai-2018",
        "itu-resolution",
    )
    assert meta.title.startswith("ITU's role in implementing the outcomes of the World Summit")
    assert (meta.body, meta.type, meta.date) == ("ITU Plenipotentiary Conference", DocType.RESOLUTION, "2018")


def _squeezed(title: str) -> str:
    # The collection's titles keep the "79/194. " number; PDF word spacing is ingest's
    # other concern (pdf_parser), so titles are compared without spaces.
    return re.sub(r"\s+", "", re.sub(r"^\d+/\d+\.\s*", "", title)).casefold()


@pytest.mark.integration
def test_symbol_and_title_of_the_40_official_pdfs() -> None:
    expected = {}
    with gzip.open(COLLECTION, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            expected[record["file"]] = (record["symbol"], record["title"])
    pdfs = sorted(UN_PDF.glob("*.pdf"))
    assert len(pdfs) == 40
    wrong = []
    for pdf in pdfs:
        meta, shape = meta_from_document(parse_pdf(pdf), "en", pdf.stem)
        symbol, title = expected[pdf.name]
        # The collection's title is the first line of a title block that may run on
        # (A/RES/79/243: "United Nations Convention against Cybercrime; Strengthening ...").
        if meta.symbol != symbol or not _squeezed(meta.title).startswith(_squeezed(title)) or shape != "un-resolution":
            wrong.append((pdf.name, meta.symbol, meta.title))
        assert meta.id == symbol.lower().replace("/", "-")
    assert wrong == []


@pytest.mark.integration
def test_symbol_of_every_document_of_the_collection() -> None:
    from wsis_rag.ingest.collection import CollectionRecord, collection_source, read_collection

    records = [r for r in read_collection(COLLECTION) if isinstance(r, CollectionRecord)]
    read = {r.symbol: meta_from_document(collection_source(r), "en", r.file)[0].symbol for r in records}
    misread = {given: found for given, found in read.items() if found != given.rstrip("*")}
    assert len(records) == 1191 and misread == {}
