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
from typing import TYPE_CHECKING, Any

from ..core.errors import IngestError
from .furniture import FOOTNOTE_RULE as _RULE
from .furniture import PAGE_FURNITURE as _PAGE_FURNITURE
from .source import RawBlock, SourceDocument

if TYPE_CHECKING:
    from pypdf import PageObject

_BOLD_FONT = re.compile(r"Bold|Black|Heavy|Semibold|Hei\b|ZenHei", re.IGNORECASE)
_PARAGRAPH_MARK = re.compile(r"^(\d+\.\s|\([a-z]{1,4}\)\s|[a-z]\)\s|[–•\-]\s?)")
_FOOTNOTE_START = re.compile(r"^\d+\s")
_SENTENCE_END = ("。", "；", "：", ".", ";", ":", "!", "?", "！", "？")
_JOINING_DASHES = "-‐‑–—"
_MARGIN_SHARE = 0.1  # top and bottom tenth of the page hold running headers and footers
_SAME_LINE_TOLERANCE = 2.0
_INDENT_MIN = 4.0
_FOOTNOTE_SIZE_RATIO = 0.85
_PARAGRAPH_GAP_RATIO = 1.2
_SHORT_LINE_RATIO = 0.8


@dataclass
class _Run:
    text: str
    x: float
    font: str
    size: float


@dataclass
class _Line:
    page: int
    page_height: float
    y: float
    runs: list[_Run] = field(default_factory=list)

    @property
    def x(self) -> float:
        return min(r.x for r in self.runs)

    @cached_property
    def text(self) -> str:
        parts: list[str] = []
        last_x: float | None = None
        for run in sorted(self.runs, key=lambda r: r.x):  # stable: same-x runs keep reading order
            text = run.text.replace("\n", "")
            if parts and last_x is not None and run.x != last_x and parts[-1][-1:] != " " and text[:1] != " ":
                parts.append(" ")
            parts.append(text)
            last_x = run.x
        return "".join(parts).strip()

    @property
    def size(self) -> float:
        """Size of the type that carries most of the line (superscripts do not count)."""
        weights: Counter[float] = Counter()
        for run in self.runs:
            weights[round(run.size, 1)] += len(run.text.strip())
        return weights.most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        visible = [r for r in self.runs if r.text.strip()]
        return bool(visible) and all(_BOLD_FONT.search(r.font) for r in visible)


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
    from pypdf.errors import PdfReadError, PdfStreamError

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
    except (PdfReadError, PdfStreamError, ValueError, KeyError) as exc:
        raise IngestError(path, f"PDF is truncated or corrupt ({exc})") from exc


def _page_lines(page: PageObject, number: int) -> list[_Line]:
    lines: list[_Line] = []
    height = float(page.mediabox.height)

    def visit(text: str, cm: list[float], tm: list[float], font: dict[str, Any] | None, size: float) -> None:
        if not text or not text.strip("\n"):
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        run = _Run(text, round(x, 1), str((font or {}).get("/BaseFont", "")), size * scale)
        line = next((ln for ln in lines if abs(ln.y - y) < _SAME_LINE_TOLERANCE), None)
        if line is None:
            line = _Line(number, height, y)
            lines.append(line)
        line.runs.append(run)

    page.extract_text(visitor_text=visit)
    return sorted(lines, key=lambda ln: -ln.y)


def _running_furniture(pages: list[list[_Line]]) -> set[int]:
    """ids of lines that are running headers/footers: in the top or bottom margin and
    either repeated (digits aside) on a quarter of the pages or a page/job number."""

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text)

    margin_lines = [
        ln
        for page in pages
        for ln in page
        if ln.y > ln.page_height * (1 - _MARGIN_SHARE) or ln.y < ln.page_height * _MARGIN_SHARE
    ]
    seen_on: dict[str, set[int]] = {}
    for line in margin_lines:
        seen_on.setdefault(key(line), set()).add(line.page)
    needed = max(2, len(pages) // 4)
    return {id(line) for line in margin_lines if len(seen_on[key(line)]) >= needed or _PAGE_FURNITURE.match(line.text)}


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
    if line.x > margins[line.page] + _INDENT_MIN or _PARAGRAPH_MARK.match(line.text):
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
    groups: list[list[_Line]] = []
    for line in lines:
        if not groups or _FOOTNOTE_START.match(line.text):
            groups.append([line])
        else:
            groups[-1].append(line)
    return [_join(group, footnote=True) for group in groups]


def _is_cjk(char: str) -> bool:
    return ord(char) > 0x2E7F


def _join(lines: list[_Line], *, footnote: bool = False, heading: bool = False) -> RawBlock:
    text = ""
    page_starts: list[tuple[int, int]] = []
    for line in lines:
        piece = line.text
        if text:
            glued = (text[-1] in _JOINING_DASHES and text[-2:-1] != " ") or _is_cjk(text[-1]) or _is_cjk(piece[0])
            text += "" if glued else " "
        if not page_starts or page_starts[-1][1] != line.page:
            page_starts.append((len(text), line.page))
        text += piece
    return RawBlock(text, tuple(page_starts), footnote=footnote, heading=heading)
