"""What every parser (text, PDF, HTML) produces: the document as a sequence of blocks.

A block is one paragraph-like unit in reading order: a numbered paragraph, a heading, a
list item, a footnote. The structure parsers never see the file format: they work on
blocks, so the same document from a PDF and from its text gives the same clauses.

The document's normalised text is the blocks joined by blank lines, body first and then
footnotes; every block knows its span in it, which is how clause offsets are computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class RawBlock:
    """A block as a parser found it, before offsets are assigned."""

    text: str
    page_starts: tuple[tuple[int, int], ...] = ()  # (offset in `text`, 1-based PDF page) where a page begins
    footnote: bool = False
    heading: bool = False  # the parser saw heading styling (bold PDF line, <h2>, "# ...")
    footnote_refs: tuple[tuple[int, str], ...] = ()  # (offset in `text`, marker) of raised footnote marks


@dataclass(frozen=True)
class Block:
    index: int
    text: str
    start: int
    end: int
    footnote: bool
    heading: bool
    footnote_refs: tuple[tuple[int, str], ...] = ()  # (offset in the document's text, marker)


@dataclass
class SourceDocument:
    """The parsed file: normalised text and its blocks (body in order, then footnotes)."""

    text: str
    blocks: list[Block]
    front_matter: dict[str, str] = field(default_factory=dict)
    page_starts: list[tuple[int, int]] = field(default_factory=list)  # (offset in `text`, page), sorted
    warnings: list[str] = field(default_factory=list)  # what the reader could not make sense of

    def pages_between(self, start: int, end: int) -> list[int]:
        """PDF pages (1-based) that the text span [start, end) lies on; [] when not from a PDF."""
        pages = []
        current = None
        for offset, page in self.page_starts:
            if offset >= end:
                break
            if offset <= start:
                current = page
            else:
                pages.append(page)
        return sorted({current, *pages} - {None})  # type: ignore[arg-type]

    @property
    def body(self) -> list[Block]:
        return [b for b in self.blocks if not b.footnote]

    @property
    def footnotes(self) -> list[Block]:
        return [b for b in self.blocks if b.footnote]

    @classmethod
    def from_raw(cls, raw: list[RawBlock], front_matter: dict[str, str] | None = None) -> SourceDocument:
        ordered = [b for b in raw if not b.footnote and b.text] + [b for b in raw if b.footnote and b.text]
        blocks: list[Block] = []
        page_starts: list[tuple[int, int]] = []
        offset = 0
        for index, rb in enumerate(ordered):
            if index:
                offset += len(BLOCK_SEPARATOR)
            refs = tuple((offset + at, mark) for at, mark in rb.footnote_refs)
            blocks.append(Block(index, rb.text, offset, offset + len(rb.text), rb.footnote, rb.heading, refs))
            page_starts += [(offset + at, page) for at, page in rb.page_starts]
            offset += len(rb.text)
        text = BLOCK_SEPARATOR.join(b.text for b in blocks)
        page_starts.sort()
        return cls(text=text, blocks=blocks, front_matter=front_matter or {}, page_starts=page_starts)
