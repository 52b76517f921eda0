"""Text as PyMuPDF extracts it from an official UN PDF -> blocks.

The layout: pages joined by an empty line; within a page, lines that end in a space and
paragraphs separated by lines that hold only spaces; the masthead's job number and barcode
on page 1, a running header (symbol, short title, job number, page label) at the top of
every other page; footnotes under a rule, or a star note ("* On behalf of ...") at the foot
of page 1; a justified line sometimes split into one word per line; and now and then two
paragraphs with no blank line between them.

It becomes blocks as the PDF itself does: the furniture dropped by the rules of
`furniture`, footnotes kept apart, a paragraph cut by a page break joined again, and a
paragraph that opens on a line of its own (a number, a letter, a preambular participle)
parted from the one before. A bulk collection's records and a single text file in this
layout are read by the same function, so both give the same clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .furniture import FOOTNOTE_RULE, is_job_furniture, is_page_label, squeezed
from .source import RawBlock
from .un_resolution import (
    ANNEX_HEADING,
    CLOSING,
    ENACTING,
    NAMED_STEP,
    PARAGRAPH_NUMBER,
    SUBPARAGRAPH_MARK,
    is_heading_label,
    opens_preamble,
)

PAGE_BREAK = "\n\n"  # PyMuPDF ends every page with a newline; blank text lines hold spaces
_HEADER_DEPTH = 8  # a running header is over within this many lines of the page top
_SENTENCE_END = (".", ";", ":", "!", "?")
_CLAUSE_END = (*_SENTENCE_END, ",", "”", "’", ")")
_FOOTNOTE_MARK_AT_END = re.compile(r"(?<=[.,;:”’)])\s?\d{1,3}$")
_MARK_ALONE = re.compile(r"^(?:\d{1,3}(?:\s?(?:bis|ter))?\.|\([a-z]{1,2}\)|\([ivx]+\))$")
_HEADING_LINE = re.compile(r"^[A-Z][^.;:,]{2,120}$")
_SECTION_TITLE = re.compile(r"^(?:[A-Z]|[IVXL]+)\.\s[^.;:]{3,200}$")
_STAR_NOTE = re.compile(r"^\*{1,3}\s*[A-Za-z]")
_MIN_BLANK_LINES = 3
_NOTE_NUMBER = re.compile(r"^(\d{1,3})\s")
# A footnote mark glued to a word or its closing punctuation ("issue,1"), or standing
# alone after punctuation ("Agenda 21, 6").
_MARKS = (
    re.compile(r"(?<=[^\W\d_]|[,.;:)”’\]])(?P<mark>\d{1,3})(?!\d)"),
    re.compile(r"(?<=[,.;:)”’]) (?P<mark>\d{1,3})(?=\s|$)"),
)
# What a number after it continues rather than marks: a decimal ("1."), an abbreviation
# or symbol part ("L.", "Rev.", "No.").
_SYMBOL_TAIL = re.compile(r"(?:\d\.|^[A-Z][a-z]{0,2}\.|^[A-Z]\.)$")


def is_pymupdf_text(text: str) -> bool:
    """Whether `text` is laid out as PyMuPDF extracts an official UN PDF: no form feeds,
    blank lines that hold a space, and the masthead's job number or barcode on a line of its own."""
    head = text[:3000].split("\n")
    return "\f" not in text and text.count("\n \n") >= _MIN_BLANK_LINES and any(is_job_furniture(line) for line in head)


def pymupdf_blocks(text: str, symbol: str) -> list[RawBlock]:
    """The text's blocks: body in reading order, then footnotes. `symbol` is the document's
    (its running header repeats it)."""
    body: list[_Marked] = []
    footnotes: list[str] = []
    for page_number, page in enumerate(text.split(PAGE_BREAK), start=1):
        lines = [line.strip() for line in page.split("\n")]
        if page_number > 1:
            lines = _without_running_header(lines, symbol, page_number)
        page_body, page_notes = _split_footnotes(lines)
        texts = _paragraphs(page_body)
        notes = _paragraphs(page_notes)
        while texts and _STAR_NOTE.match(texts[-1]):
            notes.insert(0, texts.pop())
        paragraphs = _without_marks(texts, [m.group(1) for note in notes if (m := _NOTE_NUMBER.match(note))])
        if paragraphs and body and _continues(body[-1].text, paragraphs[0].text):
            body[-1] = body[-1].joined(paragraphs.pop(0))
        body += paragraphs
        footnotes += notes
    return [RawBlock(p.text, footnote_refs=p.marks) for p in body] + [RawBlock(t, footnote=True) for t in footnotes]


@dataclass(frozen=True)
class _Marked:
    """A paragraph's text and the footnote marks taken out of it: (offset in `text`, number)."""

    text: str
    marks: tuple[tuple[int, str], ...] = ()

    def joined(self, right: _Marked) -> _Marked:
        text = _join(self.text, right.text)
        shift = len(text) - len(right.text)
        return _Marked(text, self.marks + tuple((at + shift, mark) for at, mark in right.marks))


def _without_running_header(lines: list[str], symbol: str, page: int) -> list[str]:
    """The page without its running header: everything up to the page's label when it
    comes within the first lines, then any furniture (job number, symbol) right after it."""
    top = [i for i, line in enumerate(lines[:_HEADER_DEPTH]) if is_page_label(line, page)]
    rest = lines[top[0] + 1 :] if top else lines
    while rest and (not rest[0] or is_job_furniture(rest[0]) or squeezed(rest[0]) == squeezed(symbol)):
        rest = rest[1:]
    return rest


def _split_footnotes(lines: list[str]) -> tuple[list[str], list[str]]:
    for i, line in enumerate(lines):
        if FOOTNOTE_RULE.match(line):
            return lines[:i], lines[i + 1 :]
    return lines, []


def _without_marks(paragraphs: list[str], numbers: list[str]) -> list[_Marked]:
    """The page's paragraphs without the marks of its footnotes, each with where its marks
    stood (what lets a reference in a footnote be tied to the clause that points to it).
    PyMuPDF prints a raised mark as a plain digit run ("Compact.8", "the issue,1", "Agenda 21, 6"),
    so each footnote's number is looked for in order, after the previous one: glued to a word or
    its closing punctuation, else standing alone after punctuation. A number glued to other
    digits ("Agenda 216"), to a symbol ("L.1", "78/330") or to a decimal point is not a mark."""
    marked = [_Marked(text) for text in paragraphs]
    where = (0, 0)  # (paragraph, offset) after the last mark found
    for number in numbers:
        for index in range(where[0], len(marked)):
            text = marked[index].text
            start = where[1] if index == where[0] else 0
            match = next((m for m in _MARKS[0].finditer(text, start) if _is_mark(text, m, number)), None) or next(
                (m for m in _MARKS[1].finditer(text, start) if _is_mark(text, m, number)), None
            )
            if match:
                cut = text[: match.start()] + text[match.end() :]
                marked[index] = _Marked(cut, (*marked[index].marks, (match.start(), number)))
                where = (index, match.start())
                break
    return marked


def _is_mark(text: str, match: re.Match[str], number: str) -> bool:
    if match.group("mark") != number:
        return False
    word = text[text.rfind(" ", 0, match.start()) + 1 : match.start()]
    return "/" not in word and not _SYMBOL_TAIL.search(word)


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines grouped at blank lines and where a paragraph opens on a line of its own,
    furniture dropped, each group joined into one paragraph."""
    paragraphs: list[str] = []
    current = ""
    single = False  # `current` is one line so far
    for line in [*lines, ""]:
        if not line or (current and _opens_paragraph(current, line, single)):
            if current:
                paragraphs.append(current)
            current = ""
        if line and not is_job_furniture(line):
            current, single = (_join(current, line), False) if current else (line, True)
    return paragraphs


def _opens_paragraph(previous: str, line: str, single: bool) -> bool:
    """A line that starts a paragraph although no blank line came before it: the text
    before closed a clause or a list item ("; and"), or is a heading (a lettered or roman
    one, "B. Domestic and international private business and finance", or any short line of
    its own without closing punctuation, "Conserving the ocean and its ecosystems"), and
    this line opens as a paragraph does. A mark alone on its line ("3." then "(a)") and
    what follows it are one paragraph."""
    if _MARK_ALONE.match(previous):
        return False
    if _SECTION_TITLE.match(previous) or (single and _HEADING_LINE.match(previous)):
        return _numbered_opening(line)
    ended = _FOOTNOTE_MARK_AT_END.sub("", previous)
    return ended.endswith((".", ",", ";", ":", "; and", "; or")) and _paragraph_opening(line)


def _paragraph_opening(line: str) -> bool:
    """A numbered opening or a preambular participle ("Welcoming")."""
    return _numbered_opening(line) or opens_preamble(line)


def _numbered_opening(line: str) -> bool:
    """A paragraph number or a subparagraph mark before a capital or another mark ("12. Decides",
    "(b) Enabling", "12. (a) Each") or alone on its line ("2."), a numbered step of a
    declaration ("Action 24.") or a heading label ("Rule 56", "Article 5")."""
    if _MARK_ALONE.match(line) or NAMED_STEP.match(line) or is_heading_label(line):  # "Action 24. We ...", "Rule 56"
        return True
    mark = PARAGRAPH_NUMBER.match(line) or SUBPARAGRAPH_MARK.match(line)
    if mark is None:
        return False
    following = line[mark.end() : mark.end() + 1]
    return following.isupper() or following == "("


def _join(left: str, right: str) -> str:
    # The documents break lines only at real hyphens ("follow-" / "up" is "follow-up"); a
    # dash that ends a line ("systems –" / "which") stands between words.
    if left.endswith(("-", "‐")):
        return left + right
    return f"{left} {right}"


def _continues(previous: str, first: str) -> bool:
    """Whether a page's first paragraph continues the last one of the page before. Never
    after the closing formula ("100th plenary meeting / 16 July 2024"), never an annex, the
    enacting formula ("Have agreed as follows:") or a numbered paragraph ("26. We are
    committed"); always one in lower case, or after a paragraph that stopped mid-sentence,
    even when it opens with a participle ("... Certain Crimes" / "Committed by Means ...");
    else unless the last one closed a sentence or a list item or the new one opens a
    preambular paragraph."""
    if CLOSING.match(previous) or ANNEX_HEADING.match(first) or ENACTING.match(first) or _numbered_opening(first):
        return False
    ended = _FOOTNOTE_MARK_AT_END.sub("", previous)
    if first[:1].islower() or not ended.endswith(_CLAUSE_END):
        return True
    return not ended.endswith(_SENTENCE_END) and not opens_preamble(first)
