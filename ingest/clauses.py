"""Clauses: the citable units that the structure parsers recover from a document's blocks,
and the small helpers those parsers share (anchor bookkeeping, heading stack)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from ..core.vocabulary import ClauseKind
from .source import Block, SourceDocument


class FootnoteRef(BaseModel):
    """A footnote mark printed in a clause ("Rights,9"): where it stands and what it says."""

    at: int = Field(description="Offset in the document's normalised text; the mark itself is not in the text.")
    mark: str


class Clause(BaseModel):
    kind: ClauseKind
    anchor: str = Field(description="Unique within the document, e.g. 'para-33-b'.")
    locator: str = Field(description="As cited: 'para. 33 (b)'.")
    heading_path: list[str] = Field(default_factory=list)
    char_start: int
    char_end: int
    pages: list[int] = Field(default_factory=list)
    text: str
    context: str = ""
    footnote_refs: list[FootnoteRef] = Field(default_factory=list, description="Footnote marks, in order.")


class StructureResult(BaseModel):
    clauses: list[Clause]
    warnings: list[str] = Field(default_factory=list)


def slug(text: str) -> str:
    """ASCII slug for ids and anchors: 'Instructs the Secretary-General' -> 'instructs-the-secretary-general'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class HeadingStack:
    """Headings above the current position; a heading replaces those at its level or deeper.
    Levels are numbers, so a heading can sit between two levels (an annex's title, under
    the annex and above its sections)."""

    entries: list[tuple[float, str]] = field(default_factory=list)

    def push(self, level: float, text: str) -> None:
        self.entries = [(lvl, t) for lvl, t in self.entries if lvl < level] + [(level, text)]

    @property
    def path(self) -> list[str]:
        return [t for _, t in self.entries]


@dataclass
class ClauseCollector:
    """Builds clauses from block spans, keeps anchors unique and gathers warnings."""

    doc: SourceDocument
    clauses: list[Clause] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _anchors: set[str] = field(default_factory=set)

    def add(
        self,
        kind: ClauseKind,
        anchor: str,
        locator: str,
        blocks: list[Block],
        heading_path: list[str] | None = None,
        context: str = "",
    ) -> Clause:
        if anchor in self._anchors:
            n = 2
            while f"{anchor}-dup{n}" in self._anchors:
                n += 1
            self.warn(f"duplicate {locator}: kept verbatim as anchor '{anchor}-dup{n}'")
            anchor = f"{anchor}-dup{n}"
        self._anchors.add(anchor)
        start, end = blocks[0].start, blocks[-1].end
        pages = self.doc.pages_between(start, end)
        path = list(heading_path or [])
        context = "\n".join(part for part in (" > ".join(path), context) if part)
        clause = Clause(
            kind=kind,
            anchor=anchor,
            locator=locator,
            heading_path=path,
            char_start=start,
            char_end=end,
            pages=pages,
            text=self.doc.text[start:end],
            context=context,
            footnote_refs=_refs(blocks),
        )
        self.clauses.append(clause)
        return clause

    def extend(self, clause: Clause, blocks: list[Block]) -> None:
        """Grow `clause` to cover `blocks` (which follow it), e.g. a list kept inside its paragraph."""
        clause.char_end = blocks[-1].end
        clause.footnote_refs += _refs(blocks)
        clause.text = self.doc.text[clause.char_start : clause.char_end]
        clause.pages = self.doc.pages_between(clause.char_start, clause.char_end)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def result(self) -> StructureResult:
        return StructureResult(clauses=self.clauses, warnings=self.warnings)


def _refs(blocks: list[Block]) -> list[FootnoteRef]:
    return [FootnoteRef(at=at, mark=mark) for block in blocks for at, mark in block.footnote_refs]


_FOOTNOTE = re.compile(r"^(\d+)\s+\S")


def collect_footnotes(collector: ClauseCollector) -> None:
    """Footnote blocks -> FOOTNOTE clauses ('footnote-12'); shared by every document shape."""
    for block in collector.doc.footnotes:
        match = _FOOTNOTE.match(block.text)
        if not match:
            collector.warn(f"footnote without a number kept as text: {block.text[:40]!r}")
            collector.add(ClauseKind.FOOTNOTE, f"footnote-x{block.index}", "footnote", [block])
            continue
        number = match.group(1)
        collector.add(ClauseKind.FOOTNOTE, f"footnote-{number}", f"footnote {number}", [block])
