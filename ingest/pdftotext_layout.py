"""The text `pdftotext` (without `-layout`) makes of a UN document -> blocks.

pdftotext writes the lines of each page in reading order and puts a form feed before
every page after the first. Its habits, undone here:
- Each page keeps its furniture: the running header at the top (the symbol and the short
  title, whose words the masthead of page 1 holds), the page label or bare page number,
  the job number, the barcode, "Please recycle". The marks are dropped by the rules of
  `furniture`; a page label only where its numbers are this page's.
- Under the footnote rule the numbers of the footnotes stand on lines of their own, out
  of order, with the page label among them: the numbers are given back, in order, to
  the footnotes' texts, which are in order.
- A paragraph number shares its baseline with the paragraph's first line, so it comes
  on a line of its own before that line or after it ("Takes note ... report of" / "2." /
  "the Secretary-General ..."), or fused to its last word when that word was hyphenated
  ("... towards a multi6." / "stakeholder approach": "multi-stakeholder").
- A section heading's number stands alone with a blank line before its title.
- Blank lines end pdftotext's text blocks, which hold many paragraphs: paragraphs are
  told by their numbers and by the words that open them. A paragraph cut by a page
  break simply runs on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .furniture import FOOTNOTE_RULE, PROCESSING_DATE, is_job_furniture, is_page_label, squeezed
from .source import RawBlock
from .un_resolution import BARE_OPENING_MAX, CLOSING, OPENING, opens_preamble

_FORM_FEED = "\f"
_HEADER_GROUPS = 2  # the symbol and the short title, in either order
_HEADER_GROUP_LINES = 3
_HEADER_MIN_CHARS = 5
_TITLE_LINES = 3  # a section title longer than this is a paragraph
_NUMBER_LINE = re.compile(r"^(?P<num>\d+)\.$")
_NUMBERED_LINE = re.compile(r"^(?P<num>\d+)\.\s+\S")
_FUSED_NUMBER = re.compile(r"^(?P<text>.*[A-Za-z])(?P<num>\d+)\.$")
_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?$")
_SECTION_HEADING = re.compile(r"^\d+(?:\.\d+)+\.?\s+[A-Z][^.;:,]*$")  # "4.1. Enhanced cooperation"
_FOOTNOTE_NUMBER = re.compile(r"^\d{1,3}$")
# The end of a clause: its punctuation, then perhaps a closing quote and a footnote number.
_CLAUSE_END = re.compile(r"[.;:,][”’)]?(?:\s?\d{1,3})?$")
# The first words of an operative paragraph: "Welcomes", "Takes note", "Also decides".
_OPERATIVE_OPENING = re.compile(r"^(?:(?:Also|Further|Again|Once again)\s+[a-z]+s|[A-Z][a-z]+s)\b")
_SPAN_AHEAD = 2  # a paragraph number may skip this many (a gap in the document's numbering)


def is_pdftotext_layout(text: str) -> bool:
    """Pages started by form feeds that carry a UN document's furniture (a job number, a
    barcode, "Please recycle" or their own page label)."""
    pages = _pages(text)
    return len(pages) > 1 and any(
        is_job_furniture(line) or is_page_label(line, number, len(pages))
        for number, lines in enumerate(pages, start=1)
        for line in lines
    )


def pdftotext_blocks(text: str) -> list[RawBlock]:
    """The document's blocks: the body in reading order, then the footnotes."""
    pages = _pages(text)
    masthead = squeezed(" ".join(_masthead_lines(pages[0]) if pages else []))
    body: list[_Line] = []
    notes: list[str] = []
    for number, lines in enumerate(pages, start=1):
        page_body, page_notes = _read_page(lines, number, len(pages), masthead)
        body += page_body
        notes += page_notes
    return _body_blocks(body) + [RawBlock(note, footnote=True) for note in notes]


@dataclass(frozen=True)
class _Line:
    text: str
    page: int
    after_blank: bool = False  # a blank line (the end of a pdftotext block) came before it


@dataclass
class _Piece:
    """The lines of one block being gathered; `number` is printed before them."""

    lines: list[_Line] = field(default_factory=list)
    number: str = ""
    heading: bool = False

    def block(self) -> RawBlock:
        text = self.number
        page_starts: list[tuple[int, int]] = []
        for line in self.lines:
            if text:
                text += "" if text.endswith("-") else " "
            if not page_starts or page_starts[-1][1] != line.page:
                page_starts.append((0 if not page_starts else len(text), line.page))
            text += line.text
        return RawBlock(text, tuple(page_starts), heading=self.heading)


def _pages(text: str) -> list[list[str]]:
    pages = [[line.strip() for line in page.split("\n")] for page in text.split(_FORM_FEED)]
    while pages and not any(pages[-1]):
        pages.pop()  # a form feed at the very end opens no page
    return pages


def _masthead_lines(lines: list[str]) -> list[str]:
    """Page 1 above the opening formula: the symbol and the title that running headers repeat."""
    end = next((i for i, line in enumerate(lines) if OPENING.match(line)), len(lines))
    return lines[:end]


def _read_page(lines: list[str], page: int, pages: int, masthead: str) -> tuple[list[_Line], list[str]]:
    """The page's body lines (header and furniture dropped) and its footnotes."""
    # A page with no label of its own prints its number bare (older documents).
    numbered = page > 1 and not any(is_page_label(line, page, pages) for line in lines)
    lines = _without_marks(lines, page, pages)
    if page > 1:
        lines = _without_running_header(lines, masthead)
    filled = [i for i, line in enumerate(lines) if line]
    if numbered and filled and lines[filled[-1]] == str(page):
        lines = lines[: filled[-1]]  # the bare page number at the foot of the page
        numbered = False
    rule = next((i for i, line in enumerate(lines) if FOOTNOTE_RULE.match(line)), len(lines))
    notes = _footnotes(lines[rule + 1 :], str(page) if numbered else None)
    body: list[_Line] = []
    blank = False  # a page break is no break in the text: a paragraph runs on across it
    for line in lines[:rule]:
        if line:
            body.append(_Line(line, page, blank))
        blank = not line and bool(body) and body[-1].page == page
    return body, notes


def _without_marks(lines: list[str], page: int, pages: int) -> list[str]:
    """The page without job numbers, barcodes, the recycling note, the date of processing
    that follows a job number, and the page's label (blank lines kept where they were)."""
    kept: list[str] = []
    after_job = False
    for line in lines:
        if not line:
            kept.append(line)
            continue
        job = is_job_furniture(line)
        if not (job or is_page_label(line, page, pages) or (after_job and PROCESSING_DATE.match(line))):
            kept.append(line)
        after_job = job
    return kept


def _without_running_header(lines: list[str], masthead: str) -> list[str]:
    """The page without its running header: up to two groups of lines at the top that
    the masthead of page 1 holds word for word (the symbol, the short title)."""
    rest = lines
    for _ in range(_HEADER_GROUPS):
        start = next((i for i, line in enumerate(rest) if line), len(rest))
        end = next((i for i in range(start, len(rest)) if not rest[i]), len(rest))
        group = squeezed("".join(rest[start:end]))
        if end - start > _HEADER_GROUP_LINES or len(group) < _HEADER_MIN_CHARS or group not in masthead:
            break
        rest = rest[end:]
    return rest


def _footnotes(lines: list[str], page_number: str | None) -> list[str]:
    """The footnotes under a page's rule, each with its number. pdftotext puts the numbers
    on lines of their own wherever their baseline sorts them, but the texts in order, so
    the numbers, sorted, are given back to the texts in turn. `page_number`: a bare page
    number that may stand among them."""
    markers = [line for line in lines if _FOOTNOTE_NUMBER.match(line)]
    texts: list[str] = []
    for line in lines:
        if not line or _FOOTNOTE_NUMBER.match(line):
            continue
        if texts and (line[:1].islower() or not texts[-1].endswith((".", ")"))):
            texts[-1] = f"{texts[-1]} {line}"  # a footnote running on to its next line
        else:
            texts.append(line)
    if page_number in markers and len(markers) == len(texts) + 1:
        del markers[len(markers) - 1 - markers[::-1].index(page_number)]  # the last: it is at the foot
    numbers = sorted(markers, key=int)
    paired = [f"{number} {note}" for number, note in zip(numbers, texts, strict=False)]
    if len(texts) > len(numbers) and paired:
        paired[-1] = " ".join([paired[-1], *texts[len(numbers) :]])
    elif len(texts) > len(numbers):
        paired = [" ".join(texts)]
    return paired + numbers[len(texts) :]  # a number without a text is kept, not lost


def _body_blocks(lines: list[_Line]) -> list[RawBlock]:
    """The body's lines gathered into blocks: the masthead's groups, the opening formula,
    preambular paragraphs, numbered paragraphs, section headings, the closing formula."""
    pieces: list[_Piece] = []
    expected = 1  # the next paragraph number
    in_masthead = any(OPENING.match(line.text) for line in lines)
    index = 0
    while index < len(lines):
        line = lines[index]
        after = lines[index + 1] if index + 1 < len(lines) else None
        before = pieces[-1].lines[-1] if pieces and pieces[-1].lines else None
        if in_masthead and not OPENING.match(line.text):
            if line.after_blank or not pieces:
                pieces.append(_Piece())
            pieces[-1].lines.append(line)
            index += 1
            continue
        in_masthead = False
        heading = _heading(line, lines[index + 1 :], expected)
        if heading:
            pieces.append(_Piece(lines[index : index + heading], heading=True))
            index += heading
            continue
        number = _paragraph_number(line, expected)
        if number is not None and _NUMBER_LINE.match(line.text):
            if after is not None and before is not None and _number_follows(before, after, _line_before(pieces)):
                _start_with_last_line(pieces, f"{number}.")
            else:
                pieces.append(_Piece(number=f"{number}."))
            expected = number + 1
        elif number is not None and _NUMBERED_LINE.match(line.text):
            pieces.append(_Piece([line]))
            expected = number + 1
        elif (fused := _FUSED_NUMBER.match(line.text)) and int(fused["num"]) == expected and _opens_operative(line):
            # The number sits on the first line's last word, whose hyphen pdftotext dropped.
            pieces.append(_Piece([_Line(fused["text"] + "-", line.page, line.after_blank)], number=f"{expected}."))
            expected += 1
        else:
            waiting = bool(pieces) and not pieces[-1].lines  # a number printed before its paragraph
            if not waiting and (before is None or _starts_block(line, before, expected)):
                pieces.append(_Piece())
            pieces[-1].lines.append(line)
        index += 1
    return [piece.block() for piece in pieces if piece.lines]


def _paragraph_number(line: _Line, expected: int) -> int | None:
    """The paragraph number the line opens with (or is), when it is the one to come."""
    match = _NUMBER_LINE.match(line.text) or _NUMBERED_LINE.match(line.text)
    if match is None:
        return None
    number = int(match["num"])
    return number if expected <= number <= expected + _SPAN_AHEAD else None


def _heading(line: _Line, following: list[_Line], expected: int) -> int:
    """How many lines a section heading takes here: "4.1. Enhanced cooperation" on one
    line, or a bare section number, a blank line and its title ("1." / "" / "Information
    and communications technology for development"); 0 when there is none."""
    if _SECTION_HEADING.match(line.text):
        return 1
    if not _SECTION_NUMBER.match(line.text) or not following or not following[0].after_blank:
        return 0
    if _NUMBER_LINE.match(line.text) and _paragraph_number(line, expected) is not None:
        return 0
    title = 0
    while title < min(len(following), _TITLE_LINES) and (title == 0 or not following[title].after_blank):
        title += 1
    last = following[title - 1].text
    return 0 if _CLAUSE_END.search(last) else 1 + title


def _number_follows(before: _Line, after: _Line, earlier: _Line | None) -> bool:
    """Whether a paragraph number on a line of its own belongs to the line before it (the
    paragraph's first line) rather than to the line after: the line after cannot open a
    paragraph, or the line before opens one and the line after does not."""
    if after.text[:1].islower():
        return True
    opens_before = _opens_operative(before) and not before.text.endswith((";", "."))
    opens_before = opens_before and (earlier is None or bool(_CLAUSE_END.search(earlier.text)))
    return opens_before and not _opens_operative(after)


def _opens_operative(line: _Line) -> bool:
    return bool(_OPERATIVE_OPENING.match(line.text)) and not opens_preamble(line.text)


def _line_before(pieces: list[_Piece]) -> _Line | None:
    """The line before the last one gathered."""
    gathered = [line for piece in pieces[-2:] for line in piece.lines]
    return gathered[-2] if len(gathered) > 1 else None


def _start_with_last_line(pieces: list[_Piece], number: str) -> None:
    """Make the last line gathered the first line of a new numbered paragraph."""
    first = pieces[-1].lines.pop()
    if not pieces[-1].lines:
        pieces.pop()
    pieces.append(_Piece([first], number=number))


def _starts_block(line: _Line, before: _Line, expected: int) -> bool:
    """Whether an unnumbered line begins a block of its own."""
    text = line.text
    if OPENING.match(text) or CLOSING.match(text):
        return True
    if OPENING.match(before.text) and len(before.text) <= BARE_OPENING_MAX:
        return True  # "The General Assembly," stands alone
    if not text[:1].isupper():
        return False
    ended = bool(_CLAUSE_END.search(before.text))
    if before.text.endswith(":") or (line.after_blank and before.text.endswith(".")):
        return True
    # Preambular paragraphs have no numbers: each opens with its participle.
    return expected == 1 and opens_preamble(text) and (ended or line.after_blank)
