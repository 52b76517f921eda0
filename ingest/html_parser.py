"""HTML -> blocks, with BeautifulSoup (lxml).

Every innermost block element (p, li, h1-h6, td, ...) is one block; headings are marked
as such; blocks inside an element whose id or class names footnotes are footnotes. Page
chrome (script, style, nav, header, footer) is skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import IngestError
from .source import RawBlock, SourceDocument
from .text_parser import read_text

if TYPE_CHECKING:
    from bs4 import Tag

_BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote", "pre", "div"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "head"]


def parse_html(path: Path) -> SourceDocument:
    from bs4 import BeautifulSoup, Tag

    soup = BeautifulSoup(read_text(path), "lxml")
    for tag in soup(_SKIPPED_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks: list[RawBlock] = []
    for element in soup.find_all(_BLOCK_TAGS):
        if not isinstance(element, Tag) or element.find(_BLOCK_TAGS):
            continue  # only innermost blocks: their ancestors would repeat the text
        text = " ".join(element.get_text("").split())
        if not text or set(text) <= {"_", "-", "*", "="}:
            continue
        blocks.append(RawBlock(text, footnote=_in_footnotes(element), heading=element.name in _HEADING_TAGS))
    if not blocks:
        raise IngestError(path, "no text found in the HTML")
    return SourceDocument.from_raw(blocks)


def _in_footnotes(element: Tag) -> bool:
    for node in [element, *element.parents]:
        names = " ".join([str(node.get("id") or ""), *(c for c in node.get_attribute_list("class") if c)])
        if "footnote" in names.lower():
            return True
    return False
