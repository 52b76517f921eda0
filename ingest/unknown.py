"""Metadata for a file the manifest does not know (`wsis ingest somefile.txt`)."""

from __future__ import annotations

import re
from pathlib import Path

from ..core.vocabulary import DocType, DocumentMeta
from .clauses import slug
from .source import SourceDocument

_UN_SYMBOL = re.compile(r"\b[A-Z](?:/[A-Z0-9.]+)*/RES/\d+/\d+\b|\bA/RES/\d+/\d+\b")
_SYMBOL_SEARCH_BLOCKS = 5


def meta_for_unknown(path: Path, doc: SourceDocument, lang: str) -> DocumentMeta:
    """id = slug of the file stem; symbol from the first lines when it looks like a UN
    resolution symbol (A/RES/NN/NNN), else the stem."""
    symbol = doc.front_matter.get("symbol")
    if not symbol:
        head = "\n".join(b.text for b in doc.body[:_SYMBOL_SEARCH_BLOCKS])
        match = _UN_SYMBOL.search(head)
        symbol = match.group(0) if match else path.stem
    title = doc.front_matter.get("title") or (doc.body[0].text[:200] if doc.body else path.stem)
    return DocumentMeta(
        id=slug(path.stem) or "document",
        symbol=symbol,
        short=symbol,
        title=title,
        body="unknown",
        type=DocType.OTHER,
        lang=lang,
    )
