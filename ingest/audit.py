"""How faithful the passages are to their source: the check that guards every parser change.

For each ingested document, against the text it was read from:
- passages that still carry page furniture (job numbers, barcodes, page labels beside the
  symbol, "Please recycle");
- source words that no passage holds, in its text or as a heading above it (compared as multisets of words: a word the reader
  dropped is missing however the text was rejoined);
- pieces of a split clause that end where no sentence ends, and whether the sentence they
  cut is itself longer than the token budget (the one cut that is allowed);
- unnumbered `text` clauses ("text 3"), by document type.

The furniture of the source is recognised here by rules of its own, independent of the
readers', so the audit does not approve whatever the readers happen to drop: a line is
furniture when it is a job number or barcode, "Please recycle", the page's own label
among the first or last lines of a page, the document's symbol there, or a line above the
page label whose words all stand in page 1's masthead (the running title).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import takewhile

from pydantic import BaseModel, Field

from ..core.vocabulary import ClauseKind, Passage
from .furniture import is_job_furniture, is_page_label, squeezed
from .passages import SENTENCE_BREAK, count_tokens

WORD = re.compile(r"[^\W\d_]+|\d+")  # letters and digits apart: a footnote mark glued to a word ("Rights2") is its own
# PyMuPDF ends a page with an empty line (its blank lines within a page hold spaces);
# pdftotext starts each page after the first with a form feed.
PAGE_BREAK = re.compile(r"\n\n|\f")
_EDGE_LINES = 8  # running headers and footers lie within this many lines of a page's edge
_MASTHEAD_LINES = 40  # page 1's symbol, agenda item and title lie within these lines
_NOTE = re.compile(r"^(\d{1,3})\s")
_FIGURE = re.compile(r"^[(\[]?[\d.,–-]+[)\]%]?$|^[A-Z]-\d$")  # "56 234 300", "(3.1)", "–", "P-4"
_TABLE_FIGURES = 4
_TABLE_SHARE = 0.25
_AMENDMENT = re.compile(
    r"\bamendments? to (?:the )?draft\b|^(?:In|After|Before) (?:the \w+ preambular|operative) paragraph|^(?:Delete|Insert|Replace|Amend)\b"
)
_UNNUMBERED = re.compile(r"(?:^|-)text-\d+$")  # not the enacting or closing formula, also kept as text
_SENTENCE_END = re.compile(r"[.;:!?。；：！？][\"'”’)\]]*$")
_FURNITURE_IN_PASSAGE = re.compile(
    r"\b\d{2}-\d{5}\s*\([A-Z]\)|\*\d{7,}\*|Please recycle|\b\d{2}-\d{5}\s+\d{1,3}/\d{1,3}\b|\b\d{1,3}/\d{1,3}\s+\d{2}-\d{5}\b"
)


class DocumentAudit(BaseModel):
    doc_id: str
    symbol: str
    doc_type: str
    passages: int
    source_words: int = Field(description="Words of the source less its furniture; 0 when no source text was given.")
    furniture: list[str] = Field(default_factory=list, description="Ids of passages that carry page furniture.")
    lost_words: list[str] = Field(default_factory=list, description="Source words no passage holds (with repeats).")
    mid_sentence_cuts: list[str] = Field(default_factory=list, description="Ids of pieces that end inside a sentence.")
    overlong_sentence_cuts: list[str] = Field(
        default_factory=list, description="Of those, pieces cut inside a sentence longer than the token budget."
    )
    text_clauses: dict[str, str] = Field(
        default_factory=dict, description="Unnumbered `text` clauses: id -> what they are (`text_clause_reason`)."
    )


class AuditSummary(BaseModel):
    documents: int
    passages: int
    source_words: int
    furniture_passages: int
    lost_words: int
    documents_losing_words: int
    mid_sentence_cuts: int
    overlong_sentence_cuts: int
    text_clauses_by_type: dict[str, int]
    text_clauses_by_reason: dict[str, int]


class AuditReport(BaseModel):
    summary: AuditSummary
    documents: list[DocumentAudit]


def source_words(text: str, symbol: str) -> list[str]:
    """The words of a source text, in order, less the lines that are page furniture."""
    pages = [[line.strip() for line in page.split("\n") if line.strip()] for page in PAGE_BREAK.split(text)]
    masthead = {word.lower() for line in pages[0][:_MASTHEAD_LINES] for word in WORD.findall(line)}
    squeezed_symbol = squeezed(symbol)
    words: list[str] = []
    for number, lines in enumerate(pages, start=1):
        label = next((i for i, line in enumerate(lines[:_EDGE_LINES]) if is_page_label(line, number)), -1)
        bottom = len(lines) - _EDGE_LINES
        for index, line in enumerate(lines):
            if is_job_furniture(line):
                continue
            edge = number > 1 and (index <= label or index >= bottom)
            if edge and (is_page_label(line, number) or squeezed(line) == squeezed_symbol):
                continue
            if index < label and {word.lower() for word in WORD.findall(line)} <= masthead:
                continue  # the running title above the page label repeats the masthead's words
            words += WORD.findall(line)
    return words


def audit_document(passages: list[Passage], source_text: str | None, max_tokens: int) -> DocumentAudit:
    """One document's passages (in order) against the text they were read from (None: no
    word check, as for a PDF, whose text the audit cannot read independently)."""
    first = passages[0]
    audit = DocumentAudit(
        doc_id=first.doc_id, symbol=first.symbol, doc_type=str(first.doc_type), passages=len(passages), source_words=0
    )
    held: Counter[str] = Counter()
    path: list[str] = []
    for passage in passages:
        held.update(WORD.findall(passage.text))
        # A heading is held once, by the passages under it (their heading path), where it opens.
        shared = len(list(takewhile(lambda pair: pair[0] == pair[1], zip(path, passage.heading_path, strict=False))))
        held.update(word for heading in passage.heading_path[shared:] for word in WORD.findall(heading))
        path = passage.heading_path
        if _FURNITURE_IN_PASSAGE.search(passage.text):
            audit.furniture.append(passage.id)
        if passage.kind == ClauseKind.TEXT and passage.piece == 1 and _UNNUMBERED.search(passage.anchor):
            audit.text_clauses[passage.id] = text_clause_reason(passage.text)
    for piece, following in zip(passages, passages[1:], strict=False):
        if piece.anchor == following.anchor and not _SENTENCE_END.search(piece.text.rstrip()):
            audit.mid_sentence_cuts.append(piece.id)
            if count_tokens(_cut_sentence(piece.text, following.text)) > max_tokens:
                audit.overlong_sentence_cuts.append(piece.id)
    if source_text is not None:
        wanted = source_words(source_text, first.symbol)
        audit.source_words = len(wanted)
        # Each footnote's number stands once more in the source, as the mark in the text
        # that refers to it; readers move marks out of the text.
        marks = Counter(
            m.group(1)
            for p in passages
            if p.kind == ClauseKind.FOOTNOTE and p.piece == 1 and (m := _NOTE.match(p.text))
        )
        missing = Counter(wanted) - held - marks
        for word in wanted:
            if missing[word] > 0:
                audit.lost_words.append(word)
                missing[word] -= 1
    return audit


def text_clause_reason(text: str) -> str:
    """What an unnumbered clause is, from its words: a table (mostly figures, or a row of
    cells), an amendment to a draft, a lead-in to a list ("... we:"), a heading kept as
    text (no clause under it), or a paragraph the document does not number."""
    tokens = text.split()
    figures = sum(1 for token in tokens if _FIGURE.match(token))
    if figures >= _TABLE_FIGURES and figures > len(tokens) * _TABLE_SHARE:
        return "table"
    if _AMENDMENT.search(text):
        return "amendment"
    if text.rstrip().endswith(":"):
        return "lead-in"
    if not text.rstrip().endswith((".", ";", ",")):
        return "heading"
    return "unnumbered paragraph"


def _cut_sentence(before: str, after: str) -> str:
    """The sentence a cut falls in: from the last sentence end before it to the first after."""
    head = SENTENCE_BREAK.split(before)[-1]
    tail = SENTENCE_BREAK.split(after, maxsplit=1)[0]
    return f"{head} {tail}"


def audit_documents(documents: Iterable[tuple[list[Passage], str | None]], *, max_tokens: int) -> AuditReport:
    """The audit of every document and its summary."""
    audits = [audit_document(passages, text, max_tokens) for passages, text in documents if passages]
    by_type: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    for audit in audits:
        by_type[audit.doc_type] += len(audit.text_clauses)
        by_reason.update(audit.text_clauses.values())
    summary = AuditSummary(
        documents=len(audits),
        passages=sum(a.passages for a in audits),
        source_words=sum(a.source_words for a in audits),
        furniture_passages=sum(len(a.furniture) for a in audits),
        lost_words=sum(len(a.lost_words) for a in audits),
        documents_losing_words=sum(1 for a in audits if a.lost_words),
        mid_sentence_cuts=sum(len(a.mid_sentence_cuts) for a in audits),
        overlong_sentence_cuts=sum(len(a.overlong_sentence_cuts) for a in audits),
        text_clauses_by_type=dict(sorted(by_type.items())),
        text_clauses_by_reason=dict(by_reason.most_common()),
    )
    return AuditReport(summary=summary, documents=audits)
