"""HTML -> blocks, with BeautifulSoup (lxml).

Every innermost block element (p, li, h1-h6, td, ...) is one block; headings are marked
as such; blocks inside an element whose id or class names footnotes are footnotes. Page
chrome (script, style, nav, header, footer) is skipped.
"""

from __future__ import annotations

import re
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
# Nesting deeper than this is no document but a trap: parsing and walking such a tree
# costs time that grows with depth times size. Real pages nest a few dozen levels.
MAX_NESTING = 1000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
# Void elements, and elements whose end tag may be omitted (a parser closes them itself):
# neither can deepen the tree by being left open.
_NOT_NESTING = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"),
    *("p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup"),
    *("caption", "rb", "rt", "rp", "html", "head", "body"),
}


def nesting_depth(html: str) -> int:
    """How deep the elements of `html` nest, from its tags alone (one pass, no parsing)."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _NOT_NESTING:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def parse_html(path: Path) -> SourceDocument:
    from bs4 import BeautifulSoup, Tag

    html = read_text(path)
    depth = nesting_depth(html)
    if depth > MAX_NESTING:
        raise IngestError(path, f"HTML refused: elements nested {depth} deep (more than {MAX_NESTING})")
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_SKIPPED_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks: list[RawBlock] = []
    elements = [e for e in soup.find_all(_BLOCK_TAGS) if isinstance(e, Tag)]
    for element, following in zip(elements, [*elements[1:], None], strict=True):
        # Only innermost blocks: their ancestors would repeat the text. In document order
        # a block's first block descendant, if any, is the very next block.
        if following is not None and any(parent is element for parent in following.parents):
            continue
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
