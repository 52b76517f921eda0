"""Query understanding: documents a query names, and explicit clause references in it.

"paragraph 121 of A/RES/80/173", "GDC para 33(b)", "80/173 第121段", "WSIS+20 outcome
para 119" name one clause: the retriever puts it first. A bare mention of a document
("according to the Council report", "the GDC") only nudges that document's passages up.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..core.vocabulary import DocumentMeta
from .analysis import caseless, symbol_tokens
from .locators import (
    ANNEX_OF_SYMBOL,
    Level,
    anchorings,
    clause_items,
    holds,
    locator_groups,
    names_missing_clauses,
    roman,
)
from .numerals import numeral_value


@dataclass(frozen=True)
class ClauseReference:
    doc_id: str
    anchor: str  # e.g. "para-33-b", "preamble-3"


@functools.cache  # compiled when a query first contains the name: 3,500 names cost 0.1-0.2 s at load
def _alias_pattern(alias: str) -> re.Pattern[str]:
    # Latin aliases must stand as whole words ("GDC", "80/173"); Han ones match anywhere.
    flags = re.IGNORECASE
    if re.search(r"[A-Za-z0-9]", alias):
        return re.compile(rf"(?<![A-Za-z0-9/]){re.escape(alias)}(?![A-Za-z0-9/+])", flags)
    return re.compile(re.escape(alias))


class _Needles:
    """Which of many caseless names occur in a text, found through the names' first two
    characters: a question holds about a hundred pairs of them, and meets only the names
    that begin with one."""

    def __init__(self, needles: list[str]) -> None:
        self._needles = needles
        self._by_start: dict[str, list[int]] = {}
        for i, needle in enumerate(needles):
            self._by_start.setdefault(needle[:2], []).append(i)

    def present(self, lowered: str) -> list[int]:
        """Indices of the names `lowered` holds, in the names' order."""
        starts = {lowered[i : i + 2] for i in range(len(lowered))} | set(lowered)  # names of one character too
        found = [i for start in starts & self._by_start.keys() for i in self._by_start[start]]
        return sorted(i for i in found if self._needles[i] in lowered)


class DocumentMentions:
    """Finds which indexed documents a query names by id, symbol, short name or alias.

    Every name's pattern stands behind a substring test of the name (`caseless`), and those
    behind the name's first two characters (`_Needles`): with the 1,191 documents of the
    UN collection a query meets some 3,500 names, nearly all absent."""

    def __init__(self, documents: list[DocumentMeta]) -> None:
        self._names: list[tuple[str, str, str]] = []  # (doc id, caseless name, name)
        self._word_names: list[tuple[str, str]] = []  # names that are not symbols
        self._word_names_of: dict[str, list[tuple[str, str]]] = {}  # the same, per document
        for doc in documents:
            names = {doc.id, doc.symbol, doc.short, *doc.aliases}
            for name in sorted(names, key=len, reverse=True):
                self._names.append((doc.id, caseless(name), name))
                if not symbol_tokens(name):
                    word_name = (caseless(name), name)
                    self._word_names.append(word_name)
                    self._word_names_of.setdefault(doc.id, []).append(word_name)
        self._name_needles = _Needles([needle for _, needle, _ in self._names])
        # Documents that are an annex of another ("A/RES/79/1, annex I"), by id, with the
        # annex's number as the anchors write it ("i"; "" for a lone annex).
        self.annexes = {
            doc.id: roman(numeral_value(m["n"])) if m["n"] else ""
            for doc in documents
            if (m := ANNEX_OF_SYMBOL.search(doc.symbol))
        }
        self._word_needles = _Needles([needle for needle, _ in self._word_names])

    def word_names(self, doc_id: str) -> list[str]:
        """The names of a document that are not symbols ("GDC", "WSIS+20成果文件")."""
        return [name for _, name in self._word_names_of.get(doc_id, ())]

    def names_by_word(self, text: str, doc_ids: frozenset[str]) -> bool:
        """Whether `text` names one of `doc_ids` by a word name ("WSIS+20成果文件"), not a symbol."""
        lowered = caseless(text)
        return any(
            needle in lowered and _alias_pattern(name).search(text)
            for doc in doc_ids
            for needle, name in self._word_names_of.get(doc, ())
        )

    def find(self, query: str) -> list[tuple[str, int]]:
        """(doc_id, position of the mention), first mention per document, in query order."""
        return [(doc_id, start) for doc_id, start, _ in self.spans(query)]

    def spans(self, query: str) -> list[tuple[str, int, int]]:
        """(doc_id, start, end) of the first mention of each document, by its longest name
        there, in query order."""
        first: dict[str, tuple[int, int]] = {}
        for i in self._name_needles.present(caseless(query)):
            doc_id, _, name = self._names[i]
            m = _alias_pattern(name).search(query)
            if m and m.start() < first.get(doc_id, (len(query) + 1, 0))[0]:
                first[doc_id] = m.span()
        return sorted(((doc_id, *span) for doc_id, span in first.items()), key=lambda item: item[1])

    def without_mentions(self, query: str) -> str:
        """`query` with the word names of documents blanked out ("the GDC", "Council
        report"): a name says where to look (the document boost), not what to look for;
        left in, it matches every passage that mentions the document in passing. Symbols
        ("A/RES/80/173", "Res. 140") stay: a passage citing one is about that document."""
        stripped = query
        # Blanking only removes text: a name absent before stays absent.
        for i in self._word_needles.present(caseless(query)):
            stripped = _alias_pattern(self._word_names[i][1]).sub(" ", stripped)
        return stripped if stripped.strip() else query


def clause_references(
    query: str,
    mentions: Sequence[tuple[str, int, int]],
    anchors: Callable[[str], frozenset[str]] | None = None,
    annexes: Mapping[str, str] | None = None,
) -> list[ClauseReference]:
    """The clauses `query` names, in its order, each in the document mentioned with it.

    `mentions`: (doc id, start, end) of each document the query names; a reference without
    any is ambiguous and ignored. `anchors`: a document's clause anchors, to choose among
    the ways a locator may be anchored ("section 7, para. 3" is "s7-p3" in a report and
    "section-vii-para-3" in a resolution; "article 64" of a convention adopted as an annex
    is "annex-art-64"), and among documents the query names at one place ("resolution
    79/1" is the Pact and its annex I, the Global Digital Compact, indexed apart). Without
    it, or when no way exists, the first way: a clause a document lacks stays named (the
    answer tells the asker so). `annexes`: documents that are themselves an annex of
    another, with its number ("A/RES/79/1, annex I": "i"): "annex I" names the document,
    not a part of it, and another annex of the same resolution is no part of it either."""
    if not mentions:
        return []
    refs: list[ClauseReference] = []
    for group in locator_groups(query):
        owners = _owners(query, group, mentions, annexes or {})
        ways = [
            (doc, way)
            for doc in owners
            for way in anchorings(group, doc, mentions, annexes or {}, anchors(doc) if anchors else None)
        ]
        for item in clause_items(group):
            found = next(
                ((doc, way(item)) for doc, way in ways if anchors is None or holds(way(item), anchors(doc))),
                None,
            )
            if found is None and (not ways or not names_missing_clauses(group)):
                continue
            refs.append(ClauseReference(*(found or (ways[0][0], ways[0][1](item)))))
    return list(dict.fromkeys(refs))[:_MAX_REFERENCES]


def without_references(query: str, mentions: Sequence[tuple[str, int, int]]) -> str:
    """`query` with the documents' names (`mentions`: their spans) and the clause locators
    blanked out: what it asks beyond naming them."""
    spans = [(start, end) for _, start, end in mentions]
    spans += [(group[0].start, group[-1].end) for group in locator_groups(query)]
    chars = list(query)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


_MAX_REFERENCES = 50  # a question pins no more clauses than a page can show
_OF = re.compile(r"\s*(?:of|in|to)\s+(?:the\s+)?", re.IGNORECASE)


def _owners(
    query: str, group: list[Level], mentions: Sequence[tuple[str, int, int]], annexes: Mapping[str, str]
) -> list[str]:
    """The documents a locator may belong to, most likely first: one named right after it
    ("para 12 of resolution 80/173"), then those named before it, nearest first ("GDC para
    33(b)"), then those after it, nearest first. Of documents named at one place
    ("A/RES/79/1" is the Pact and its annex I, the GDC), the whole resolution first: its
    "annex I, para. 7" is the locator as written."""
    start, end = group[0].start, group[-1].end

    def nearest_before(mention: tuple[str, int, int]) -> tuple[int, bool, int]:
        doc, at, until = mention
        return -at, doc in annexes, -until

    def nearest_after(mention: tuple[str, int, int]) -> tuple[int, bool]:
        doc, at, _ = mention
        return at, doc in annexes

    of = _OF.match(query, end)
    after_of = [doc for doc, pos, _ in sorted(mentions, key=nearest_before) if of and pos == of.end()]
    before = [doc for doc, pos, _ in sorted(mentions, key=nearest_before) if pos < start]
    after = [doc for doc, pos, _ in sorted(mentions, key=nearest_after) if pos >= start]
    return list(dict.fromkeys([*after_of, *before, *after]))
