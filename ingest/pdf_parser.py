"""PDF -> blocks, with pypdf.

pypdf's text visitor gives every text run with its position, font and size. From those we
rebuild lines, drop running headers and footers (lines in the page margins that repeat on
many pages, page numbers, job numbers, barcodes), set footnotes apart (small type below a
rule of underscores) and rejoin wrapped lines into paragraphs:

- on a page, a vertical gap larger than the document's line spacing starts a paragraph,
  and so does a change between bold and regular type (headings);
- at the top of a page the first line continues the last paragraph unless it is indented,
  starts with a paragraph mark ("12.", "(b)", "–"), changes weight, or the previous page
  ended on a short line closing a sentence.

A line ending in a hyphen or dash joins the next without a space (the documents break
only at real hyphens); so do lines meeting at a Chinese character.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core.errors import IngestError
from .furniture import FOOTNOTE_RULE as _RULE
from .furniture import JOB_LINE as _JOB_LINE
from .furniture import PAGE_FURNITURE as _PAGE_FURNITURE
from .pdf_content import Glyph, page_glyphs
from .source import RawBlock, SourceDocument

_BOLD_FONT = re.compile(r"Bold|Black|Heavy|Semibold|Hei\b|ZenHei", re.IGNORECASE)
_PARAGRAPH_MARK = re.compile(r"^(\d+\.\s|\([a-z]{1,4}\)\s|[a-z]\)\s|[–•\-]\s?)")
_PART_HEADING = re.compile(r"^(Article \d+|Chapter [IVXLC]+|Annex(?: [IVXLC]+)?|Section [IVXLC]+)\.?$")
_FOOTNOTE_START = re.compile(r"^(\d+)\s")
_SENTENCE_END = ("。", "；", "：", ".", ";", ":", "!", "?", "！", "？")
_JOINING_DASHES = "-‐‑–—"
_MARGIN_SHARE = 0.1  # top and bottom tenth of the page hold running headers and footers
_SAME_LINE_TOLERANCE = 2.0
_INDENT_MIN = 4.0
_FOOTNOTE_SIZE_RATIO = 0.85
_PARAGRAPH_GAP_RATIO = 1.2
_SHORT_LINE_RATIO = 0.8
_WORD_GAP = 0.15  # ems: kerning inside a word stays under 0.1, the narrowest word space is 0.2
_SUPERSCRIPT_SIZE_RATIO = 0.85
_SUPERSCRIPT_RISE_RATIO = 0.7
_SUPERSCRIPT_MAX_GLYPHS = 8
_COLUMN_GAP = 4.0  # ems: text this far apart on one baseline belongs to different lines (a job number beside the body)


@dataclass
class _Line:
    page: int
    page_height: float
    y: float
    glyphs: list[Glyph] = field(default_factory=list)
    superscripts: list[Glyph] = field(default_factory=list)  # raised smaller type: footnote marks

    @cached_property
    def x(self) -> float:
        """Where the line's ink starts (spaces painted before it do not count)."""
        return min((g.x for g in self.glyphs if not g.text.isspace()), default=min(g.x for g in self.glyphs))

    @property
    def ink_x(self) -> float:
        """Where the line's ink starts, its superscripts (a footnote's number) included."""
        return min([self.x, *(g.x for g in self.superscripts)])

    @cached_property
    def _text_and_refs(self) -> tuple[str, tuple[tuple[int, str], ...]]:
        """The line's text, words told apart by the gap between glyphs, and its footnote
        references: (offset in the text, marker) for each run of raised digits inside it."""
        marks = [(g, True) for g in self.superscripts]
        ordered = sorted([(g, False) for g in self.glyphs] + marks, key=lambda item: item[0].x)
        parts: list[str] = []
        refs: list[tuple[int, str]] = []
        length = 0
        prev: Glyph | None = None
        space_seen = False
        marker = ""
        body_seen = False  # raised digits before any body text number a footnote: kept as text
        for glyph, raised in ordered:
            if glyph.text.isspace() or not glyph.text:
                space_seen = True
                continue
            if raised and body_seen and glyph.text.isdigit():
                marker += glyph.text  # a footnote mark: kept beside the text, not in it
                prev, space_seen = glyph, False
                continue
            if marker:
                refs.append((length, marker))
                marker = ""
            if prev is not None and length:
                gap = glyph.x - (prev.x + prev.width)
                if space_seen or gap > _WORD_GAP * min(glyph.size, prev.size) or gap < -prev.size:
                    parts.append(" ")
                    length += 1
            parts.append(glyph.text)
            length += len(glyph.text)
            prev, space_seen = glyph, False
            body_seen = body_seen or not raised
        if marker:
            refs.append((length, marker))
        text = "".join(parts)
        stripped = text.rstrip()
        return stripped, tuple((min(at, len(stripped)), mark) for at, mark in refs)

    @property
    def text(self) -> str:
        return self._text_and_refs[0]

    @property
    def refs(self) -> tuple[tuple[int, str], ...]:
        return self._text_and_refs[1]

    @cached_property
    def size(self) -> float:
        """Size of the type that carries most of the line (superscripts do not count)."""
        weights: Counter[float] = Counter()
        for glyph in self.glyphs:
            if not glyph.text.isspace():
                weights[round(glyph.size, 1)] += 1
        return weights.most_common(1)[0][0] if weights else 0.0

    @property
    def bold(self) -> bool:
        visible = [g for g in self.glyphs if not g.text.isspace()]
        return bool(visible) and all(_BOLD_FONT.search(g.font) for g in visible)


def parse_pdf(path: Path) -> SourceDocument:
    pages = _read_pages(path)
    lines = [line for page in pages for line in page]
    if not any(line.text for line in lines):
        raise IngestError(path, "PDF has no text layer (scanned images?)")
    furniture = _running_furniture(pages)
    body_size = Counter(round(line.size, 1) for line in lines if line.text).most_common(1)[0][0]
    body: list[_Line] = []
    notes: list[_Line] = []
    for page in pages:
        below_rule = False
        for line in page:
            if not line.text or id(line) in furniture:
                continue
            if _RULE.match(line.text):
                below_rule = True
                continue
            if below_rule and line.size <= body_size * _FOOTNOTE_SIZE_RATIO:
                notes.append(line)
            else:
                body.append(line)
    leading = _line_spacing(body)
    blocks = _paragraphs(body, leading) + _footnotes(notes)
    return SourceDocument.from_raw(blocks)


def _read_pages(path: Path) -> list[list[_Line]]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError, PdfStreamError

    data = path.read_bytes()
    if not data.startswith(b"%PDF"):
        raise IngestError(path, "not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise IngestError(path, "PDF is truncated or corrupt (EOF marker not found)")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "PDF is encrypted")
        return [_page_lines(page, number) for number, page in enumerate(reader.pages, start=1)]
    except LimitReachedError as exc:
        # pypdf stops inflating a stream past its limit: a decompression bomb, or a page
        # far larger than any document's.
        raise IngestError(path, f"PDF refused: a stream exceeds pypdf's decompression limit ({exc})") from exc
    except (PdfReadError, PdfStreamError, ValueError, KeyError) as exc:
        raise IngestError(path, f"PDF is truncated or corrupt ({exc})") from exc


def _page_lines(page: Any, number: int) -> list[_Line]:
    """The page's glyphs (artifacts aside) as lines, top to bottom: glyphs on one baseline
    make a line, and a line of smaller raised type just above a line's baseline is folded
    into it as its superscripts (the footnote marks)."""
    height = float(page.mediabox.height)
    by_row: dict[int, _Line] = {}
    lines: list[_Line] = []
    for glyph in page_glyphs(page):
        # Artifacts are running headers and footers, but page 1's carry the symbol and
        # date of the document (its job number and barcode go as furniture below), and
        # the rule above the footnotes is drawn as one too.
        if glyph.artifact and number > 1 and glyph.text != "_":
            continue
        row = round(glyph.y / _SAME_LINE_TOLERANCE)
        line = next(
            (
                by_row[r]
                for r in (row, row - 1, row + 1)
                if r in by_row and abs(by_row[r].y - glyph.y) < _SAME_LINE_TOLERANCE
            ),
            None,
        )
        if line is None:
            line = _Line(number, height, glyph.y)
            lines.append(line)
            by_row[row] = line
        line.glyphs.append(glyph)
    lines = [piece for ln in lines for piece in _split_at_gaps(ln) if piece.size]
    lines.sort(key=lambda ln: -ln.y)
    kept: list[_Line] = []
    for line in lines:
        host = _superscript_host(line, lines)
        if host is None:
            kept.append(line)
        else:
            host.superscripts += [g for g in line.glyphs if not g.text.isspace()]
    return kept


def _split_at_gaps(line: _Line) -> list[_Line]:
    """`line` cut where its glyphs stand more than a few ems apart."""
    pieces = [_Line(line.page, line.page_height, line.y)]
    end: float | None = None
    for glyph in sorted(line.glyphs, key=lambda g: g.x):
        visible = not glyph.text.isspace()
        if visible and end is not None and glyph.x - end > _COLUMN_GAP * glyph.size:
            pieces.append(_Line(line.page, line.page_height, line.y))
        pieces[-1].glyphs.append(glyph)
        if visible:
            end = glyph.x + glyph.width
    return pieces


def _superscript_host(line: _Line, lines: list[_Line]) -> _Line | None:
    """The line that `line` is the superscript of: one of larger type whose baseline lies
    just below, under the same stretch of the page."""
    if len(line.glyphs) > _SUPERSCRIPT_MAX_GLYPHS:
        return None
    left, right = line.x, max(g.x + g.width for g in line.glyphs)
    for other in lines:
        rise = line.y - other.y
        if (
            other is not line
            and other.size * _SUPERSCRIPT_SIZE_RATIO >= line.size
            and 0 < rise < other.size * _SUPERSCRIPT_RISE_RATIO
            and other.x - 2 * other.size <= left
            and right <= max(g.x + g.width for g in other.glyphs) + other.size
        ):
            return other
    return None


def _running_furniture(pages: list[list[_Line]]) -> set[int]:
    """ids of lines that are running headers/footers: in the top or bottom margin and
    either repeated (digits aside) on a quarter of the pages or a page/job number."""

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text)

    margin_lines: list[tuple[_Line, bool]] = []  # (line, below the footnote rule)
    for page in pages:
        below_rule = False
        for ln in page:
            if _RULE.match(ln.text):
                below_rule = True  # the rule itself stays: it opens the footnotes
            elif ln.y > ln.page_height * (1 - _MARGIN_SHARE) or ln.y < ln.page_height * _MARGIN_SHARE:
                margin_lines.append((ln, below_rule))
    seen_on: dict[str, set[int]] = {}
    for line, below_rule in margin_lines:
        if not below_rule:  # footnotes look alike ("12 A/74/821.") but are no running footer
            seen_on.setdefault(key(line), set()).add(line.page)
    needed = max(2, len(pages) // 4)
    return {
        id(line)
        for line, _ in margin_lines
        if (len(seen_on.get(key(line), ())) >= needed and not _masthead(line)) or _PAGE_FURNITURE.match(line.text)
    } | {id(line) for page in pages for line in page if _JOB_LINE.match(line.text)}


def _masthead(line: _Line) -> bool:
    """Page 1's top ("United Nations  A/RES/78/230"): never a running header, though later
    pages repeat its symbol as theirs."""
    return line.page == 1 and line.y > line.page_height * (1 - _MARGIN_SHARE)


def _line_spacing(lines: list[_Line]) -> float:
    gaps: Counter[float] = Counter()
    for prev, line in zip(lines, lines[1:], strict=False):
        if prev.page == line.page and abs(prev.size - line.size) < 0.5 and prev.y > line.y:
            gaps[round(prev.y - line.y, 1)] += 1
    return gaps.most_common(1)[0][0] if gaps else 12.0


def _display_width(text: str) -> float:
    """Width in ems, roughly: a Chinese character is square, Latin type about half as wide."""
    return sum(1.0 if _is_cjk(ch) else 0.5 for ch in text)


def _starts_paragraph(
    prev: _Line, line: _Line, leading: float, margins: dict[int, float], widths: dict[int, float]
) -> bool:
    if prev.bold != line.bold:
        return True
    if prev.page == line.page:
        return line.y >= prev.y or prev.y - line.y > leading * _PARAGRAPH_GAP_RATIO
    # first line of a new page
    if line.x > margins[line.page] + _INDENT_MIN or _PARAGRAPH_MARK.match(line.text) or _PART_HEADING.match(line.text):
        return True
    text = prev.text
    return text.endswith(_SENTENCE_END) and _display_width(text) < widths[prev.page] * _SHORT_LINE_RATIO


def _paragraphs(lines: list[_Line], leading: float) -> list[RawBlock]:
    margins: dict[int, float] = {}
    widths: dict[int, float] = {}
    for line in lines:
        margins[line.page] = min(margins.get(line.page, line.x), line.x)
        widths[line.page] = max(widths.get(line.page, 0.0), _display_width(line.text))
    groups: list[list[_Line]] = []
    for line in lines:
        if not groups or _starts_paragraph(groups[-1][-1], line, leading, margins, widths):
            groups.append([line])
        else:
            groups[-1].append(line)
    return [_join(group, heading=all(ln.bold for ln in group)) for group in groups]


def _footnotes(lines: list[_Line]) -> list[RawBlock]:
    """Footnote lines -> one block per footnote. A line opening with a number starts a
    footnote only when that number is raised or stands where footnotes start on its page
    (continuation lines are indented past it), and when it follows the last footnote's:
    "7 February 1984." on the line after "6 ... of" continues footnote 6."""
    starts_at: dict[int, float] = {}
    for line in lines:
        starts_at[line.page] = min(starts_at.get(line.page, line.ink_x), line.ink_x)
    groups: list[list[_Line]] = []
    last_number = 0
    for line in lines:
        start = _FOOTNOTE_START.match(line.text)
        number = int(start.group(1)) if start else 0
        raised = line.ink_x < line.x  # the number set as a superscript before the text
        placed = raised or line.ink_x <= starts_at[line.page] + _INDENT_MIN
        if not groups or (start and placed and number > last_number):
            groups.append([line])
            last_number = number or last_number
        else:
            groups[-1].append(line)
    return [_join(group, footnote=True) for group in groups]


def _is_cjk(char: str) -> bool:
    return ord(char) > 0x2E7F


def _join(lines: list[_Line], *, footnote: bool = False, heading: bool = False) -> RawBlock:
    text = ""
    page_starts: list[tuple[int, int]] = []
    refs: list[tuple[int, str]] = []
    for line in lines:
        piece = line.text
        if text:
            glued = (text[-1] in _JOINING_DASHES and text[-2:-1] != " ") or _is_cjk(text[-1]) or _is_cjk(piece[0])
            text += "" if glued else " "
        if not page_starts or page_starts[-1][1] != line.page:
            page_starts.append((len(text), line.page))
        refs += [(len(text) + at, mark) for at, mark in line.refs]
        text += piece
    return RawBlock(text, tuple(page_starts), footnote=footnote, heading=heading, footnote_refs=tuple(refs))
