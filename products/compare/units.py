"""A document as the comparison reads it: its paragraphs, part by part.

A paragraph is a preambular or operative clause with the lettered subparagraphs and items
under it and the later pieces of a split clause joined back (a delegate compares "para. 9",
not "para. 9 (b), second piece"). Parts are compared apart from each other: the preamble,
the operative part, and each annex's preamble and operative part (an annex's articles number
their paragraphs afresh but are one part: an article inserted in a draft convention must not
leave the following articles without a counterpart). Title blocks (mastheads, distribution
lines) and footnotes are not paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from ...core.vocabulary import ClauseKind, Passage

# Clauses that belong to the paragraph above them.
_UNDER_PARAGRAPH = frozenset({ClauseKind.SUBPARAGRAPH, ClauseKind.ITEM})
_NOT_COMPARED = frozenset({ClauseKind.TITLE, ClauseKind.FOOTNOTE})
# "annex-", "annex-ii-", "annex-annex-" at the start of an anchor: the annex the clause is in.
_ANNEX = re.compile(r"^(?:annex(?:-(?:[ivxlcdm]+|[a-z]|\d+))?-)+")
# The printed number of an operative paragraph: its citation label carries it already, and a
# paragraph renumbered because another was inserted above it has not changed.
_PARAGRAPH_NUMBER = re.compile(r"^\d+(?:\s?(?:bis|ter|quater))?(?:\s?[-–]\s?\d+)?\.\s+")

PREAMBLE = "preamble"
OPERATIVE = "operative"


@dataclass
class Paragraph:
    """One compared unit: the clause that opens it and the clauses under it, in order."""

    part: str  # "preamble", "operative", "annex-i preamble", "annex operative", ...
    passages: list[Passage]

    @property
    def head(self) -> Passage:
        return self.passages[0]

    @property
    def id(self) -> str:
        """The opening clause's passage id, without a piece suffix."""
        return f"{self.head.doc_id}:{self.head.anchor}"

    @property
    def clause_ids(self) -> list[str]:
        return list(dict.fromkeys(f"{p.doc_id}:{p.anchor}" for p in self.passages))

    @property
    def text(self) -> str:
        """The paragraph as printed, clauses on lines of their own (pieces of one clause joined
        by a space), without the operative number."""
        lines: list[str] = []
        for _, pieces in groupby(self.passages, key=lambda p: p.anchor):
            lines.append(" ".join(p.text for p in pieces))
        lines[0] = _PARAGRAPH_NUMBER.sub("", lines[0], count=1)
        return "\n".join(lines)


def paragraphs(passages: list[Passage]) -> list[Paragraph]:
    """The document's paragraphs in document order (`passages` in document order, as the
    index's `document_passages` gives them)."""
    units: list[Paragraph] = []
    operative: set[str] = set()  # the annexes (or "", the document) whose operative part has begun
    for passage in passages:
        if passage.kind in _NOT_COMPARED:
            continue
        annex = _ANNEX.match(passage.anchor)
        where = annex.group(0).rstrip("-") if annex else ""
        # Unnumbered text among the preambular paragraphs ("Reiterates its appreciation ..."
        # in a draft's preamble) is part of the preamble.
        if passage.kind not in (ClauseKind.PREAMBLE, ClauseKind.TEXT):
            operative.add(where)
        side = OPERATIVE if passage.kind != ClauseKind.PREAMBLE and where in operative else PREAMBLE
        part = f"{where} {side}" if where else side
        joins = (
            units
            and units[-1].part == part
            and (passage.anchor == units[-1].passages[-1].anchor or passage.kind in _UNDER_PARAGRAPH)
        )
        if joins:
            units[-1].passages.append(passage)
        else:
            units.append(Paragraph(part=part, passages=[passage]))
    return units


def footnote_marks(passages: list[Passage]) -> frozenset[str]:
    """The numbers of the document's footnotes ("footnote-3" -> "3")."""
    return frozenset(
        p.anchor.removeprefix("footnote-")
        for p in passages
        if p.kind == ClauseKind.FOOTNOTE and p.anchor.removeprefix("footnote-").isdigit()
    )
