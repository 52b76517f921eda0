"""Plain text and Markdown -> blocks.

The corpus texts hold one paragraph per line (the Chinese report) or one paragraph per
line with blank lines between (the Markdown files, which also start with YAML front
matter and end with a "Footnotes" section). Hard-wrapped text files (short lines with
blank lines between paragraphs) are rejoined paragraph by paragraph.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..core.errors import IngestError
from .source import RawBlock, SourceDocument

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_FOOTNOTE_SECTION = re.compile(r"^---\n(Footnotes\b[^\n]*)\n", re.MULTILINE)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_HARD_WRAP_WIDTH = 100


def read_text(path: Path) -> str:
    """The file's text, or an IngestError when it is empty or not text."""
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise IngestError(path, "not a text file (binary content)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path, "not a text file (binary content)") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_text(path: Path) -> SourceDocument:
    text = read_text(path)
    front_matter: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        loaded = yaml.safe_load(match.group(1))
        if isinstance(loaded, dict):
            front_matter = {str(k): str(v) for k, v in loaded.items()}
        text = text[match.end() :]
    body, footnotes = text, ""
    section = _FOOTNOTE_SECTION.search(text)
    if section:
        body, footnotes = text[: section.start()], text[section.end() :]
    blocks = _body_blocks(body)
    blocks += [RawBlock(line.strip(), footnote=True) for line in footnotes.split("\n") if line.strip()]
    if not blocks:
        raise IngestError(path, "file is empty")
    return SourceDocument.from_raw(blocks, front_matter)


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
