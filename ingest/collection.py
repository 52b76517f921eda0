"""Bulk text collections: JSON Lines (optionally gzipped), one document a line with
`symbol`, `title`, `file` and `text` (the PDF's text as PyMuPDF extracts it, read by
`pymupdf_layout`, as the same text in a file of its own is).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..core.errors import IngestError
from .pymupdf_layout import pymupdf_blocks
from .source import SourceDocument


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
    blocks = pymupdf_blocks(record.text, record.symbol)
    if not any(not b.footnote for b in blocks):
        raise IngestError(record.source, "no text found")
    return SourceDocument.from_raw(blocks)
