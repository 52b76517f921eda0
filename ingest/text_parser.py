"""Text files -> blocks, by the layout the text itself shows: a PyMuPDF extraction of an
official UN PDF goes to `pymupdf_layout` (as a bulk collection's records do); plain text and
Markdown are read here.

The corpus texts hold one paragraph per line (the Chinese report) or one paragraph per
line with blank lines between (the Markdown files, which also start with YAML front
matter and end with a "Footnotes" section). Hard-wrapped text files (short lines with
blank lines between paragraphs) are rejoined paragraph by paragraph. The text pdftotext
makes of a UN PDF (form feeds, page furniture) has a reader of its own, `pdftotext_layout`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

import yaml

from ..core.errors import IngestError
from .furniture import is_job_furniture
from .metadata import masthead_symbol
from .pdftotext_layout import is_pdftotext_layout, pdftotext_blocks
from .pymupdf_layout import is_pymupdf_text, pymupdf_blocks
from .source import RawBlock, SourceDocument

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_FOOTNOTE_SECTION = re.compile(r"^---\n(Footnotes\b[^\n]*)\n", re.MULTILINE)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_HARD_WRAP_WIDTH = 100
_UTF16_ZERO_SHARE = 0.3
_CONTROL_SAMPLE = 65536
_CONTROL_SHARE_MAX = 0.01
# No document has a paragraph of a million characters; a file that does (one 10 MB line)
# is refused at once rather than split into thousands of passages of noise.
MAX_PARAGRAPH_CHARS = 1_000_000


def read_text(path: Path) -> str:
    """The file's text, or an IngestError when it is empty or not text. UTF-8 (with or
    without a byte-order mark), UTF-16 (with a byte-order mark, or without one when every
    other byte is zero) and, failing those, Windows-1252 / Latin-1 are read."""
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(path, "file is empty")
    text = _decode(data)
    if text is None:
        raise IngestError(path, "not a text file (binary content)")
    if not text.strip():
        raise IngestError(path, "file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes) -> str | None:
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decoded(data, codec)
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: Latin script leaves every other byte zero.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if len(data) % 2 == 0 and max(even, odd) > len(head) * _UTF16_ZERO_SHARE and min(even, odd) == 0:
            return _decoded(data, "utf-16-le" if odd else "utf-16-be")
        return None
    for codec in ("utf-8", "cp1252", "latin-1"):
        text = _decoded(data, codec)
        if text is not None:
            return text
    return None


def _decoded(data: bytes, codec: str) -> str | None:
    """`data` decoded, or None when it does not decode or decodes to control characters
    (which is what bytes that are not text in that encoding give)."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    sample = text[:_CONTROL_SAMPLE]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    return None if controls > len(sample) * _CONTROL_SHARE_MAX else text


def parse_text(path: Path) -> SourceDocument:
    text = read_text(path)
    if is_pymupdf_text(text):
        return _pymupdf_source(path, text)
    if is_pdftotext_layout(text):  # a UN PDF's pages as pdftotext gives them: its own reader
        return SourceDocument.from_raw(pdftotext_blocks(text))
    front_matter: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" at line {where.line + 2}" if where is not None else ""  # +1 for the opening ---, +1 1-based
            raise IngestError(path, f"bad YAML front matter{line}: {getattr(exc, 'problem', None) or exc}") from exc
        if isinstance(loaded, dict):
            front_matter = {str(k): str(v) for k, v in loaded.items()}
        text = text[match.end() :]
    body, footnotes = text, ""
    section = _FOOTNOTE_SECTION.search(text)
    if section:
        body, footnotes = text[: section.start()], text[section.end() :]
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > MAX_PARAGRAPH_CHARS:
        raise IngestError(
            path, f"text refused: a line of {longest:,} characters (more than {MAX_PARAGRAPH_CHARS:,} in one paragraph)"
        )
    blocks = _body_blocks(body)
    blocks += [RawBlock(line.strip(), footnote=True) for line in footnotes.split("\n") if line.strip()]
    if not blocks:
        raise IngestError(path, "file is empty")
    doc = SourceDocument.from_raw(blocks, front_matter)
    signs = _extraction_signs(text)
    if signs:
        doc.warnings.append(
            f"the text looks extracted from a PDF ({signs}) but is in no layout the readers know "
            "(PyMuPDF, pdftotext): read as plain text, so page furniture may remain in its clauses"
        )
    return doc


def _extraction_signs(text: str) -> str:
    """What in a text that no layout reader took says it came out of a PDF: form feeds, job
    numbers or barcodes, "Please recycle" (one list, for the warning)."""
    lines = text.split("\n")
    signs = [
        name
        for name, found in (
            ("form feeds", "\f" in text),
            ("job numbers or barcodes", any(is_job_furniture(line) for line in lines)),
        )
        if found
    ]
    return ", ".join(signs)


def _pymupdf_source(path: Path, text: str) -> SourceDocument:
    """A PyMuPDF extraction of an official UN PDF, read as a collection's record is."""
    head = [line.strip() for line in text.split("\n") if line.strip()][:4]
    symbol = masthead_symbol(head) or ""
    blocks = pymupdf_blocks(text, symbol)
    if not any(not b.footnote for b in blocks):
        raise IngestError(path, "no text found")
    return SourceDocument.from_raw(blocks)


def _body_blocks(body: str) -> list[RawBlock]:
    lines = [line.strip() for line in body.split("\n")]
    if _is_hard_wrapped(lines):
        chunks = [" ".join(chunk.split("\n")) for chunk in re.split(r"\n\s*\n", body)]
        lines = [" ".join(c.split()) for c in chunks]
    blocks = []
    for line in lines:
        if not line or set(line) <= {"_", "-", "*", "=", " "}:  # blank lines and drawn rules
            continue
        heading = bool(_MD_HEADING.match(line))
        blocks.append(RawBlock(_MD_HEADING.sub("", line) if heading else line, heading=heading))
    return blocks


def _is_hard_wrapped(lines: list[str]) -> bool:
    """Paragraphs of several short lines separated by blank lines: text wrapped at a column."""
    chunks = [c for c in "\n".join(lines).split("\n\n") if c.strip()]
    wrapped = sum(len(c.strip().split("\n")) > 1 for c in chunks)
    long_lines = sum(len(line) > _HARD_WRAP_WIDTH for line in lines)
    return len(chunks) >= 2 and long_lines == 0 and wrapped > len(chunks) / 2
