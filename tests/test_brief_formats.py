"""Briefing notes on the real index: "What does A/RES/80/173 assign to ITU?" in Markdown,
DOCX (read back with python-docx) and HTML (rendered in headless Chromium), and the
property that a note invents nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from wsis_rag.corpus.manifest import load_manifest
from wsis_rag.index.results import Filters
from wsis_rag.products.briefs.briefing import BriefNote, build_brief
from wsis_rag.products.briefs.render import (
    DOCUMENT_HEADING,
    NO_CLAUSE,
    TEMPLATE_LINES,
    render_docx,
    render_html,
    render_markdown,
    template_regex,
)

QUESTION = "What does A/RES/80/173 assign to ITU?"
ITU_PARAS = ("para-67", "para-107", "para-110", "para-121")


@pytest.fixture(scope="module")
def note(retriever) -> BriefNote:
    return build_brief(retriever, [QUESTION])


@pytest.fixture(scope="module")
def two_questions(retriever) -> BriefNote:
    return build_brief(retriever, [QUESTION, "What role does the Partnership on Measuring ICT for Development play?"])


@pytest.fixture(scope="module")
def nothing_found(retriever) -> BriefNote:
    # No passage is in French: the search has nothing to return.
    return build_brief(retriever, ["financing mechanisms"], filters=Filters(lang=["fr"]))


def _clauses(note: BriefNote):
    return [c for s in note.sections for d in s.documents for c in d.clauses]


def test_note_lists_the_itu_mandate_clauses_in_document_order(note: BriefNote) -> None:
    assert note.subject == QUESTION and len(note.sections) == 1
    section = note.sections[0]
    assert section.actor == "itu"
    assert [d.doc_id for d in section.documents] == ["a-res-80-173"]  # the question names it
    clauses = section.documents[0].clauses
    anchors = [c.id.split(":")[1] for c in clauses]
    assert set(ITU_PARAS) <= set(anchors)
    assert [c.order for c in clauses] == sorted(c.order for c in clauses)
    para121 = next(c for c in clauses if c.id.endswith("para-121"))
    assert para121.label == "A/RES/80/173, para. 121" and "mandate" in para121.why
    assert para121.text.startswith("121. We call for the continuation")
    assert not any(c.id.split(":")[1].startswith(("title", "footnote")) for c in clauses)
    ref = note.references[0]
    assert (ref.symbol, ref.date, ref.url) == ("A/RES/80/173", "2025-12-17", "https://docs.un.org/en/A/RES/80/173")
    assert "A/RES/80/173" in note.scope.documents and "ITU PP Resolution 172" in note.scope.missing_documents
    assert note.scope.not_found == []


def test_markdown_quotes_every_clause_with_its_linked_label(note: BriefNote, artifacts_dir: Path) -> None:
    md = render_markdown(note)
    (artifacts_dir / "brief-itu.md").write_text(md, encoding="utf-8")
    assert md.startswith(f"# Briefing note: {QUESTION}\n")
    for clause in _clauses(note):
        assert f"> {clause.text.splitlines()[0]}" in md
        assert f"> — [{clause.label}]({clause.url})" in md
    assert "> 67. We invite the International Telecommunication Union, as the secretariat" in md
    assert "| A/RES/80/173 | Outcome document of the high-level meeting" in md
    assert "## Scope of the search" in md and "Queries: 1." in md


def test_docx_reads_back_with_headings_quotes_and_labels(note: BriefNote, artifacts_dir: Path) -> None:
    from docx import Document

    data = render_docx(note)
    (artifacts_dir / "brief-itu.docx").write_bytes(data)
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == f"Briefing note: {QUESTION}"
    assert DOCUMENT_HEADING.format(symbol="A/RES/80/173", title=note.references[0].title) in headings
    assert headings[-2:] == ["References", "Scope of the search"]
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert quotes == [c.text for c in _clauses(note)]
    texts = [p.text for p in doc.paragraphs]
    for clause in _clauses(note):
        assert texts[texts.index(clause.text) + 1] == clause.label
    links = [h.url for p in doc.paragraphs for h in p.hyperlinks]
    assert links.count("https://docs.un.org/en/A/RES/80/173") == len(_clauses(note))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Symbol", "Title", "Date", "Link"]
    assert [c.text for c in table.rows[1].cells][0::2] == ["A/RES/80/173", "2025-12-17"]


@pytest.mark.browser
def test_html_renders_in_chromium(note: BriefNote, chromium, artifacts_dir: Path) -> None:
    html = render_html(note)
    (artifacts_dir / "brief-itu.html").write_text(html, encoding="utf-8")
    page = chromium.new_page(viewport={"width": 900, "height": 1200})
    try:
        page.set_content(html, wait_until="load")
        assert page.locator("h1").inner_text() == f"Briefing note: {QUESTION}"
        quotes = page.locator("blockquote")
        assert quotes.count() == len(_clauses(note))
        for i, clause in enumerate(_clauses(note)):
            assert quotes.nth(i).inner_text().strip() == clause.text
            assert quotes.nth(i).bounding_box()["height"] > 20  # laid out, not hidden
        cites = page.locator("p.cite a")
        assert cites.first.get_attribute("href") == "https://docs.un.org/en/A/RES/80/173"
        assert "A/RES/80/173, para. 67" in cites.all_inner_texts()
        assert page.locator("table tr").count() == 1 + len(note.references)
        page.screenshot(path=str(artifacts_dir / "brief-itu.png"), full_page=True)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        (artifacts_dir / "brief-itu.pdf").write_bytes(pdf)
    finally:
        page.close()


# --- The note invents nothing ----------------------------------------------------------


def _allowed_values(note: BriefNote) -> set[str]:
    """Strings a note may show besides quotes: questions, labels, manifest metadata."""
    values = set(note.questions)
    for clause in _clauses(note):
        values.add(clause.label)
    for entry in load_manifest().documents:
        m = entry.meta
        values |= {m.symbol, m.title, m.date or "", *m.urls, DOCUMENT_HEADING.format(symbol=m.symbol, title=m.title)}
    return values


def _explained(line: str, note: BriefNote, corpus_texts: list[str]) -> bool:
    if line in _allowed_values(note) or line in TEMPLATE_LINES:
        return True
    if any(template_regex(t).match(line) for t in TEMPLATE_LINES if "{" in t):
        return True
    # Otherwise every sentence must be quoted from some passage.
    sentences = [s for s in re.split(r"(?<=[.;。；])\s*", line) if s.strip()]
    return all(any(s.strip() in text for text in corpus_texts) for s in sentences)


def _markdown_lines(md: str) -> list[str]:
    lines = []
    for raw in md.splitlines():
        line = re.sub(r"^(#+ |> — |> |\d+\. )", "", raw.strip())
        line = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line)  # a link shows its text
        if line in {"", ">"} or re.fullmatch(r"\|(---\|)+", line):
            continue
        if line.startswith("|"):
            lines += [c.strip() for c in line.strip("|").split(" | ") if c.strip()]
        else:
            lines.append(line.rstrip())
    return lines


def _docx_lines(data: bytes) -> list[str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs if p.text] + [c for c in cells if c]


def _html_lines(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for style in soup(["style", "title"]):
        style.decompose()
    lines = []
    for node in soup.find_all(["h1", "h2", "h3", "p", "li", "th", "td"]):
        text = node.get_text()
        lines.append(text[2:] if text.startswith("— ") else text)
    return [line for line in lines if line]


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_every_line_is_template_data_or_a_quote(
    fmt: str, note: BriefNote, two_questions: BriefNote, nothing_found: BriefNote, retriever
) -> None:
    corpus_texts = [p.text for p in retriever.passages]
    for each in (note, two_questions, nothing_found):
        if fmt == "md":
            lines = _markdown_lines(render_markdown(each))
        elif fmt == "html":
            lines = _html_lines(render_html(each))
        else:
            lines = _docx_lines(render_docx(each))
        unexplained = [line for line in lines if not _explained(line, each, corpus_texts)]
        assert unexplained == []
        assert sum(line in corpus_texts for line in lines) == len(_clauses(each))


def test_the_check_catches_an_invented_sentence(note: BriefNote, retriever) -> None:
    corpus_texts = [p.text for p in retriever.passages]
    clause = _clauses(note)[0]
    forged = note.model_copy(deep=True)
    forged.sections[0].documents[0].clauses[0].text = clause.text + " ITU shall also run the Internet."
    lines = _markdown_lines(render_markdown(forged))
    assert [line for line in lines if not _explained(line, forged, corpus_texts)] != []


def test_two_questions_get_a_section_each(two_questions: BriefNote) -> None:
    assert two_questions.subject is None and [s.found for s in two_questions.sections] == [True, True]
    md = render_markdown(two_questions)
    assert "## Questions\n\n1. What does A/RES/80/173" in md and f"\n## {QUESTION}\n" in md
    partnership = two_questions.sections[1]
    assert partnership.actor == "partnership-measuring-ict"
    assert {"a-res-80-173:para-115", "a-res-80-173:para-117"} <= {
        c.id for d in partnership.documents for c in d.clauses
    }


def test_a_question_with_nothing_found_says_so(nothing_found: BriefNote) -> None:
    assert nothing_found.sections[0].documents == [] and nothing_found.references == []
    md = render_markdown(nothing_found)
    assert NO_CLAUSE in md and "No relevant clause for: financing mechanisms." in md
