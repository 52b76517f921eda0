"""Labels as the document numbers them (issue 22, point 4): the annex of an annexed
convention, an annex's title lines, lettered lists grouped under headings (on a text
written here, and on official PDFs); and the documents of the bulk collection whose
labels were measured wrong (A/RES/79/314, 79/243, 79/323, 79/1, 79/287), read from their
PyMuPDF text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.ingest.clauses import Clause
from wsis_rag.ingest.collection import read_collection
from wsis_rag.ingest.pipeline import IngestedDocument, ingest_file, ingest_record

CONVENTION = """A/RES/99/7

99/7. A test convention

The General Assembly,

Recalling the test,

1. Adopts the Convention annexed to the present resolution.

Annex

Test Convention on Labels;
For Exact Citations

The States Parties to the present Convention,

Bearing in mind that citations must be exact,

Have agreed as follows:

Article 1

1. Each State Party shall read its paragraphs:

Definitions

(a) A first subparagraph under a heading;

Scope

(b) A second subparagraph under another heading.

2. A second paragraph.

Article 2

1. Another article's first paragraph.

2. Its second paragraph.

Annex

Interpretative notes on specific articles of the Test Convention on Labels; For Exact Citations, with a title that runs on past the length of any heading line

Article 1

1. A first interpretative note.

2. A second interpretative note.
"""

NEEDED = ("A/RES/79/314", "A/RES/79/243", "A/RES/79/323", "A/RES/79/1", "A/RES/79/287")


def _by_anchor(doc: IngestedDocument) -> dict[str, Clause]:
    return {c.anchor: c for c in doc.clauses}


def _words(clause: Clause) -> str:
    return " ".join(re.sub(r"^(\d+\.|\([a-z]+\))\s+", "", clause.text).split())


@pytest.fixture(scope="module")
def un_corpus(shared_corpus: Path) -> Path:
    return shared_corpus.parent / "un-corpus"


@pytest.fixture(scope="module")
def records(un_corpus: Path) -> dict[str, IngestedDocument]:
    """The measured documents of the collection, read until all are found."""
    found: dict[str, IngestedDocument] = {}
    wanted = set(NEEDED)
    reading: Iterator = read_collection(un_corpus / "un-documents-78-80.jsonl.gz")
    for record in reading:
        if not isinstance(record, Exception) and record.symbol in wanted:
            found[record.symbol] = ingest_record(record)
            if len(found) == len(wanted):
                break
    assert set(found) == wanted
    return found


def test_convention_annex_labels(tmp_path: Path) -> None:
    path = tmp_path / "convention.txt"
    path.write_text(CONVENTION, encoding="utf-8")
    doc = ingest_file(path)
    clauses = _by_anchor(doc)
    # the title lines are the annex's headings, the opening formula its own clause
    assert clauses["annex-opening"].text == "The States Parties to the present Convention,"
    assert clauses["annex-preamble-1"].text == "Bearing in mind that citations must be exact,"
    assert not any(c.kind == ClauseKind.TEXT and c.anchor.startswith("annex-text") for c in doc.clauses)
    # a lettered list runs on under the headings that group it
    assert clauses["annex-art-1-para-1-a"].locator == "annex, art. 1, para. 1 (a)"
    assert clauses["annex-art-1-para-1-b"].heading_path[-1] == "Scope"
    assert clauses["annex-art-2-para-2"].locator == "annex, art. 2, para. 2"
    # the second "Annex" is the Convention's own
    assert clauses["annex-annex-para-2"].locator == "annex, annex, para. 2"
    assert clauses["annex-annex-para-2"].text == "2. A second interpretative note."
    assert not any("-dup" in c.anchor or "[" in c.locator for c in doc.clauses)


def test_lettered_list_under_section_headings_in_an_official_pdf(un_corpus: Path) -> None:
    # A/RES/78/317 (SAMOA Pathway successor), annex para. 32: "(a)" follows the heading
    # "A. Build economic resilience" and is para. 32's.
    clauses = _by_anchor(ingest_file(un_corpus / "pdf" / "A_RES_78_317.pdf"))
    first = clauses["annex-para-32-a"]
    assert first.locator == "annex, para. 32 (a)"
    assert _words(first).startswith("Reform the international financial architecture")
    assert first.heading_path[-1] == "A. Build economic resilience"


def test_cybercrime_interpretative_notes_from_the_collection(records) -> None:  # type: ignore[no-untyped-def]
    doc = records["A/RES/79/243"]
    clauses = _by_anchor(doc)
    assert not any("[" in c.locator for c in doc.clauses)
    assert clauses["annex-annex-para-1"].locator == "annex, annex, para. 1"
    assert _words(clauses["annex-annex-para-1"]).startswith("The definition of the term “service provider”")
    # the Convention's title lines are headings, not unnumbered text
    assert clauses["annex-opening"].text == "The States Parties to the present Convention,"
    assert not any(c.anchor.startswith("annex-text") for c in doc.clauses)


def test_cybercrime_article_paragraphs_from_the_collection(records) -> None:  # type: ignore[no-untyped-def]
    clauses = _by_anchor(records["A/RES/79/243"])
    second = clauses["annex-art-14-para-2"]
    assert second.locator == "annex, art. 14, para. 2"
    assert _words(second).startswith("For the purposes of this article, the term “child sexual abuse")
    assert _words(clauses["annex-art-14-para-3"]).startswith("A State Party may require that the material")
    assert not any("-dup" in c.anchor for c in clauses.values())


def test_ocean_declaration_paragraphs_each_once(records) -> None:  # type: ignore[no-untyped-def]
    numbers = [
        int(m.group(1))
        for c in records["A/RES/79/314"].clauses
        if c.kind == ClauseKind.PARAGRAPH and (m := re.fullmatch(r"annex-para-(\d+)", c.anchor))
    ]
    assert numbers[:34] == list(range(1, 35))


def test_sevilla_commitment_subparagraph_under_its_paragraph(records) -> None:  # type: ignore[no-untyped-def]
    doc = records["A/RES/79/323"]
    clauses = _by_anchor(doc)
    assert clauses["annex-para-48-d"].locator == "annex, para. 48 (d)"
    assert _words(clauses["annex-para-48-d"]).startswith("We will promote the use of state-contingent clauses")
    # para. 27's letters run on under the headings that group them
    assert _words(clauses["annex-para-27-c"]).startswith("We encourage formulating national budgets")
    assert not any(re.search(r"\btext \d", c.locator) for c in doc.clauses if c.kind != ClauseKind.TEXT)


def test_global_digital_compact_para_64_holds_its_own_words(records) -> None:  # type: ignore[no-untyped-def]
    doc = records["A/RES/79/1"]
    para = next(p for p in doc.passages if p.label == "A/RES/79/1, annex I, para. 64")
    assert _words(_by_anchor(doc)["annex-i-para-64"]).startswith("We will implement the Global Digital Compact")
    assert para.text.startswith("64. We will implement the Global Digital Compact")
    assert "We recognize the contribution of all United Nations entities" not in para.text
    assert _words(_by_anchor(doc)["annex-i-para-69"]).startswith("We recognize the contribution of all United Nations")


def test_preambular_paragraphs_one_by_one(records) -> None:  # type: ignore[no-untyped-def]
    preamble = [c for c in records["A/RES/79/287"].clauses if c.kind == ClauseKind.PREAMBLE]
    merged = [c.anchor for c in preamble if " Acknowledging existing tools on digital health" in c.text]
    assert merged == []
    assert any(c.text.startswith("Acknowledging existing tools on digital health") for c in preamble)
