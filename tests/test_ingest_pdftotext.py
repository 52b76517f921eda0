"""The pdftotext reader: hand-made pages in pdftotext's shape, then the seven WSIS-process
resolutions of <shared_dir>/wsis-docs as the corpus reads them."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wsis_rag.cli.main import app
from wsis_rag.core.settings import get_settings
from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.corpus.manifest import load_manifest
from wsis_rag.ingest.pdftotext_layout import is_pdftotext_layout, pdftotext_blocks
from wsis_rag.ingest.pipeline import IngestedDocument, ingest_file
from wsis_rag.ingest.source import RawBlock
from wsis_rag.ingest.text_parser import parse_text

MASTHEAD = """United Nations

A/RES/99/1

General Assembly

Distr.: General
2 January 2025

99/1. Test resolution on the information society
The General Assembly,
Recalling its resolution 98/1,
"""
PAGE_1_FOOT = """
24-00001 (E)

*2400001*

Please recycle
"""
PAGE_2_TOP = "\fTest resolution on the information society\n\nA/RES/99/1\n\n"


def blocks(body: str, *, pages: str = "") -> list[RawBlock]:
    """The blocks of a two-page document whose first page ends with `body`."""
    return pdftotext_blocks(MASTHEAD + body + PAGE_1_FOOT + PAGE_2_TOP + (pages or "5. Decides to close.\n\n2/2\n"))


def body_texts(found: list[RawBlock]) -> list[str]:
    return [b.text for b in found if not b.footnote]


def test_the_layout_is_recognised_from_the_text() -> None:
    document = MASTHEAD + "1. Decides to act;\n" + PAGE_1_FOOT + PAGE_2_TOP + "2. Decides again.\n\n2/2\n"
    assert is_pdftotext_layout(document)
    assert not is_pdftotext_layout(document.replace("\f", "\n"))  # no pages
    assert not is_pdftotext_layout("One page.\fAnother page.\n")  # pages, but no furniture


def test_a_number_printed_after_the_first_line_goes_before_it() -> None:
    found = body_texts(
        blocks(
            "1.\nWelcomes the report;\nTakes note of the note by the Secretary-General transmitting the report of\n2.\nthe Director on the first phase;\n"
        )
    )
    assert "1. Welcomes the report;" in found
    assert (
        "2. Takes note of the note by the Secretary-General transmitting the report of the Director on the first phase;"
        in found
    )


def test_a_number_fused_to_a_hyphenated_word_is_the_paragraph_number() -> None:
    found = body_texts(
        blocks(
            "1. Decides to act;\nFurther welcomes progress achieved by the Summit towards a multi2.\nstakeholder approach;\n"
        )
    )
    assert "2. Further welcomes progress achieved by the Summit towards a multi-stakeholder approach;" in found


def test_page_furniture_goes_and_a_paragraph_cut_by_the_page_break_runs_on() -> None:
    found = blocks(
        "1. Decides to act on the matters before it and to\n",
        pages="continue acting in the following year;\n2. Decides to close.\n\n2/2\n",
    )
    texts = body_texts(found)
    assert "1. Decides to act on the matters before it and to continue acting in the following year;" in texts
    assert texts[-1] == "2. Decides to close."
    joined = "\n".join(texts)
    for furniture in ("24-00001", "*2400001*", "Please recycle", "2/2"):
        assert furniture not in joined
    assert joined.count("A/RES/99/1") == joined.count("Test resolution on the information society") == 1  # page 1's
    assert found[texts.index("2. Decides to close.")].page_starts == ((0, 2),)


def test_footnotes_under_the_rule_are_their_own_blocks_in_order() -> None:
    found = blocks(
        "1. Recalls the Declaration, 1 and the Agenda, 2 and decides to act\n"
        "_______________\n2\n\nSee A/C.2/59/3, annex.\nSee A/60/687.\n1\n",
        pages="on them;\n\n2/2\n",
    )
    assert [b.text for b in found if b.footnote] == ["1 See A/C.2/59/3, annex.", "2 See A/60/687."]
    assert "1. Recalls the Declaration, 1 and the Agenda, 2 and decides to act on them;" in body_texts(found)


def test_tokens_alone_on_a_line_are_text_but_the_page_number_is_not() -> None:
    found = blocks(
        "1. Notes the meeting established in November\n2024\nby the Union, and its resolution\n78/330\non multilingualism;\n",
        pages="2. Decides to close.\n\n2\n",  # an older document: a bare page number, no label
    )
    texts = body_texts(found)
    assert (
        "1. Notes the meeting established in November 2024 by the Union, and its resolution 78/330 on multilingualism;"
        in texts
    )
    assert texts[-1] == "2. Decides to close."


def test_a_section_number_with_its_title_is_a_heading() -> None:
    found = blocks(
        "1. We decide to act.\n1.\n\nInformation and communications technology for development\n\n"
        "2. We commit to act.\n1.1\n\nBridging digital divides\n\n3. We note the divides.\n"
    )
    headings = [b.text for b in found if b.heading]
    assert headings == ["1. Information and communications technology for development", "1.1 Bridging digital divides"]
    assert {"2. We commit to act.", "3. We note the divides."} <= set(body_texts(found))


def test_parse_text_reads_the_layout_and_leaves_other_text_to_the_generic_reader(tmp_path: Path) -> None:
    laid_out = tmp_path / "resolution.txt"
    laid_out.write_text(MASTHEAD + "1. Decides to act;\n" + PAGE_1_FOOT + PAGE_2_TOP + "2. Decides again.\n\n2/2\n")
    assert [b.text for b in parse_text(laid_out).blocks][-2:] == ["1. Decides to act;", "2. Decides again."]
    plain = tmp_path / "plain.txt"
    plain.write_text("A heading\n\nOne paragraph.\fAnother paragraph.\n")
    assert [b.text for b in parse_text(plain).blocks] == ["A heading", "One paragraph.\fAnother paragraph."]


# The seven files, their last operative paragraph, and the running header their pages
# after the first repeat besides the symbol.
WSIS_DOCS = {
    "a-res-56-183": ("GA_A-RES-56-183_WSIS_en.txt", 8, ""),
    "a-res-57-238": ("GA_A-RES-57-238_WSIS_en.txt", 11, ""),
    "a-res-59-220": ("GA_A-RES-59-220_WSIS_en.txt", 11, ""),
    "a-res-60-252": ("GA_A-RES-60-252_WSIS_en.txt", 15, ""),
    "a-res-68-302": (
        "GA_A-RES-68-302_WSIS-review-modalities_en.txt",
        6,
        "Modalities for the overall review by the General Assembly of the implementation "
        "of the outcomes of the World Summit on the Information Society",
    ),
    "a-res-70-125": (
        "WSIS10_outcome_A-RES-70-125_en.txt",
        71,
        "Outcome document of the high-level meeting of the General Assembly on the overall review "
        "of the implementation of the outcomes of the World Summit on the Information Society",
    ),
    "a-res-77-150": (
        "GA_A-RES-77-150_ICT4SD_en.txt",
        53,
        "Information and communications technologies for sustainable development",
    ),
}
# What a page carries besides its text, as the checks below look for it.
FURNITURE = re.compile(r"\b\d{2}[- ]\d{5}\b|\*\d{7}\*|Please recycle|^\d{6}$|^\d{1,2}/\d{1,2}$|^\d{1,2}$")
WORD = re.compile(r"[^\W\d_]+|\d+")


@pytest.fixture(scope="module")
def wsis(wsis_docs: Path) -> dict[str, IngestedDocument]:
    manifest = load_manifest()
    return {doc_id: ingest_file(wsis_docs / name, manifest.get(doc_id)) for doc_id, (name, _, _) in WSIS_DOCS.items()}


@pytest.mark.parametrize("doc_id", sorted(WSIS_DOCS))
def test_every_operative_paragraph_numbered_without_gaps(wsis: dict[str, IngestedDocument], doc_id: str) -> None:
    doc = wsis[doc_id]
    last = WSIS_DOCS[doc_id][1]
    paragraphs = [c for c in doc.clauses if c.kind == ClauseKind.PARAGRAPH]
    assert [c.anchor for c in paragraphs] == [f"para-{n}" for n in range(1, last + 1)]
    assert all(c.text.startswith(f"{n}. ") for n, c in enumerate(paragraphs, start=1))
    assert not doc.warnings
    assert doc.meta.symbol == f"A/RES/{doc_id[6:].replace('-', '/')}"


@pytest.mark.parametrize("doc_id", sorted(WSIS_DOCS))
def test_no_passage_holds_page_furniture(wsis: dict[str, IngestedDocument], doc_id: str) -> None:
    doc = wsis[doc_id]
    for passage in doc.passages:
        for line in passage.text.split("\n"):
            assert not FURNITURE.search(line), (passage.id, line)
        if not passage.id.endswith(":title"):
            assert doc.meta.symbol not in passage.text, passage.id  # the running header's symbol


@pytest.mark.parametrize("doc_id", sorted(WSIS_DOCS))
def test_no_word_is_lost_but_the_furniture(wsis: dict[str, IngestedDocument], wsis_docs: Path, doc_id: str) -> None:
    """The source's words less the document's are words of furniture lines: running headers,
    page labels and numbers, job numbers, barcodes; the document says nothing the source does not."""
    name, _, header = WSIS_DOCS[doc_id]
    source = (wsis_docs / name).read_text(encoding="utf-8")
    symbol = wsis[doc_id].meta.symbol
    furniture = Counter(
        word
        for line in source.split("\n")
        if FURNITURE.search(line.strip("\f"))
        or re.sub(r"\s", "", line.strip("\f")) in re.sub(r"\s", "", symbol + header)
        for word in WORD.findall(line)
    )
    said = Counter(WORD.findall(wsis[doc_id].text))  # every block's text: headings are no clauses
    written = Counter(WORD.findall(source))
    lost = written - said
    assert all(lost[word] <= furniture[word] for word in lost), lost - furniture
    assert not said - written


def test_a_res_70_125_para_63_extends_the_igf_mandate(wsis: dict[str, IngestedDocument]) -> None:
    passages = {p.id: p for p in wsis["a-res-70-125"].passages}
    para = passages["a-res-70-125:para-63"]
    assert para.citation.label == "A/RES/70/125, para. 63"
    assert para.heading_path == ["4. Internet governance"]
    text = " ".join(p.text for p in passages.values() if p.id.split("~")[0] == para.id)
    assert "Internet Governance Forum" in text
    assert "We extend for another 10 years the existing mandate of the Internet Governance Forum" in text


def test_a_res_70_125_keeps_its_section_headings(wsis: dict[str, IngestedDocument]) -> None:
    paths = {c.anchor: c.heading_path for c in wsis["a-res-70-125"].clauses}
    ict = "1. Information and communications technology for development"
    assert paths["para-11"] == []
    assert paths["para-12"] == [ict]
    assert paths["para-21"] == [ict, "1.1 Bridging digital divides"]
    assert paths["para-28"] == [ict, "1.2 Enabling environment"]
    assert paths["para-34"] == [ict, "1.3 Financial mechanisms"]
    assert paths["para-41"] == ["2. Human rights in the information society"]
    assert paths["para-48"] == [
        "3. Building confidence and security in the use of information and communications technologies"
    ]
    assert paths["para-64"] == ["4. Internet governance", "4.1. Enhanced cooperation"]
    assert paths["para-71"] == ["5. Follow-up and review"]
    assert [c.anchor for c in wsis["a-res-70-125"].clauses if c.kind == ClauseKind.FOOTNOTE] == [
        f"footnote-{n}" for n in range(1, 11)
    ]


def test_corpus_list_finds_the_seven_with_the_default_settings(
    wsis_docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WSIS_CORPUS_DIRS", raising=False)
    monkeypatch.delenv("WSIS_SHARED_DIR", raising=False)
    monkeypatch.setenv("WSIS_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["corpus", "list", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    listed = {d["id"]: d for d in json.loads(result.output)}
    for doc_id, (name, _, _) in WSIS_DOCS.items():
        path = Path(str(listed[doc_id]["path"]))
        assert listed[doc_id]["present"] is True
        assert path == wsis_docs / name or path.name in load_manifest().get(doc_id).files  # type: ignore[union-attr]
