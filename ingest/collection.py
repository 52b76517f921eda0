"""Bulk text collections: JSON Lines (optionally gzipped), one document a line with
`symbol`, `title`, `file` and `text` (the PDF's text as PyMuPDF extracts it: pages joined
by an empty line, paragraphs separated by lines holding only spaces, page furniture and
footnotes included).

The text becomes blocks as a PDF does: running headers (the symbol, the short title, the
job number and the page label at the top of every page after the first), job numbers and
barcodes are dropped by the rules of `furniture`; the lines under a footnote rule are
footnotes; a paragraph cut by a page break is joined again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..core.errors import IngestError
from .furniture import FOOTNOTE_RULE, PAGE_LABEL, is_page_furniture
from .source import RawBlock, SourceDocument

_PAGE_BREAK = "\n\n"  # PyMuPDF ends every page with a newline; blank text lines hold spaces
_HEADER_DEPTH = 8  # a running header is over within this many lines of the page top
_SENTENCE_END = (".", ",", ";", ":", "!", "?", "”", ")")


@dataclass(frozen=True)
class CollectionRecord:
    collection: Path
    line: int
    symbol: str
    title: str
    file: str
    text: str

    @property
    def source(self) -> Path:
        """Where the document comes from, as a path-like name: the collection and the symbol."""
        return Path(f"{self.collection}#{self.symbol}")

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_collection(path: Path) -> Iterator[CollectionRecord | IngestError]:
    """The records of a collection file, in file order. A bad record comes as the
    IngestError naming its line (and reading goes on); a file that cannot be read raises."""
    if not path.is_file():
        raise IngestError(path, "collection file not found")
    with _open(path) as lines:
        try:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    yield _record(path, number, line)
                except IngestError as bad:
                    yield bad
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise IngestError(path, f"unreadable collection ({exc})") from exc


def _record(path: Path, number: int, line: str) -> CollectionRecord:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise IngestError(f"{path}:{number}", f"not JSON ({exc.msg})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw.get("symbol"):
        raise IngestError(f"{path}:{number}", "a record needs a 'symbol' and a 'text' string")
    return CollectionRecord(
        collection=path,
        line=number,
        symbol=str(raw["symbol"]).strip(),
        title=str(raw.get("title") or "").strip(),
        file=str(raw.get("file") or ""),
        text=raw["text"],
    )


def collection_source(record: CollectionRecord) -> SourceDocument:
    """The record's text as blocks (body in reading order, then footnotes)."""
    body: list[str] = []
    footnotes: list[str] = []
    for page_number, page in enumerate(record.text.split(_PAGE_BREAK), start=1):
        lines = [line.strip() for line in page.split("\n")]
        if page_number > 1:
            lines = _without_running_header(lines, record.symbol)
        page_body, page_notes = _split_footnotes(lines)
        paragraphs = _paragraphs(page_body)
        if paragraphs and body and _continues(body[-1], paragraphs[0]):
            body[-1] = _join(body[-1], paragraphs.pop(0))
        body += paragraphs
        footnotes += _paragraphs(page_notes)
    blocks = [RawBlock(text) for text in body] + [RawBlock(text, footnote=True) for text in footnotes]
    if not any(not b.footnote for b in blocks):
        raise IngestError(record.source, "no text found")
    return SourceDocument.from_raw(blocks)


def _without_running_header(lines: list[str], symbol: str) -> list[str]:
    """The page without its running header: everything up to the page label when it comes
    within the first lines, then any furniture (job number, symbol) right after it."""
    top = [i for i, line in enumerate(lines[:_HEADER_DEPTH]) if PAGE_LABEL.match(line)]
    rest = lines[top[0] + 1 :] if top else lines
    while rest and (not rest[0] or is_page_furniture(rest[0]) or _squeezed(rest[0]) == _squeezed(symbol)):
        rest = rest[1:]
    return rest


def _split_footnotes(lines: list[str]) -> tuple[list[str], list[str]]:
    for i, line in enumerate(lines):
        if FOOTNOTE_RULE.match(line):
            return lines[:i], lines[i + 1 :]
    return lines, []


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines grouped at blank lines, furniture dropped, each group joined into one paragraph."""
    paragraphs: list[str] = []
    current = ""
    for line in [*lines, ""]:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
        elif not is_page_furniture(line):
            current = _join(current, line) if current else line
    return paragraphs


def _join(left: str, right: str) -> str:
    # The documents break lines only at real hyphens ("follow-" / "up" is "follow-up").
    if left.endswith(("-", "‐", "–")):
        return left + right
    return f"{left} {right}"


def _continues(previous: str, first: str) -> bool:
    """Whether a page's first paragraph continues the last one of the page before: the
    last one stopped mid-sentence, or the new one opens in lower case."""
    return not previous.endswith(_SENTENCE_END) or first[:1].islower()


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)
