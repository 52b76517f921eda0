"""Query understanding: documents a query names, and explicit clause references in it.

"paragraph 121 of A/RES/80/173", "GDC para 33(b)", "80/173 第121段", "WSIS+20 outcome
para 119" name one clause: the retriever puts it first. A bare mention of a document
("according to the Council report", "the GDC") only nudges that document's passages up.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..core.vocabulary import DocumentMeta
from .analysis import caseless, symbol_tokens

_PARAGRAPH = re.compile(
    r"(?<![A-Za-z¶])(?P<pre>preambular\s+)?(?:paragraphs?|paras?\.?|¶)\s*(?P<num>\d{1,3})"
    r"(?:\s*\(?(?P<sub>[a-z])\))?(?![\d/])",
    re.IGNORECASE,
)
# "A/RES/80/173第57段": a symbol may stand right before it, digits and all; "第3节第2段" is a
# section's paragraph (_SECTION_PARAGRAPH); "序言部分第3段" a preambular one.
_PARAGRAPH_ZH = re.compile(
    r"(?:(?P<pre>序言(?:部分)?)\s*)?(?<!节)第\s*(?P<num>\d{1,3})\s*段(?:\s*[（(]?(?P<sub>[a-z])[)）])?"
)
# Report paragraphs by section: "section 3, para. 2", "§3 ¶2", "第3节第2段".
_SECTION_PARAGRAPH = re.compile(
    r"(?:section\s*|§\s*|第\s*)(?P<section>\d{1,2})\s*节?\s*,?\s*(?:paragraph|para\.?|¶|第)\s*(?P<num>\d{1,3})\s*段?",
    re.IGNORECASE,
)


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
        self._word_needles = _Needles([needle for needle, _ in self._word_names])

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
        first: dict[str, int] = {}
        for i in self._name_needles.present(caseless(query)):
            doc_id, _, name = self._names[i]
            m = _alias_pattern(name).search(query)
            if m and m.start() < first.get(doc_id, len(query) + 1):
                first[doc_id] = m.start()
        return sorted(first.items(), key=lambda item: item[1])

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


def clause_references(query: str, mentions: list[tuple[str, int]]) -> list[ClauseReference]:
    """Paragraph references in `query`, each tied to the document mentioned nearest to it.

    A reference without any document mention in the query is ambiguous and ignored.
    """
    if not mentions:
        return []
    refs: list[ClauseReference] = []
    sections = list(_SECTION_PARAGRAPH.finditer(query))
    inside = [range(m.start(), m.end()) for m in sections]
    found = [(m.start(), m) for m in sections]
    found += [
        (m.start(), m)
        for pattern in (_PARAGRAPH, _PARAGRAPH_ZH)
        for m in pattern.finditer(query)
        if not any(m.start() in span for span in inside)
    ]
    for _, m in sorted(found, key=lambda item: item[0]):
        doc_id = _owner(query, m, mentions)
        groups = m.groupdict()
        sub = groups.get("sub")
        if groups.get("section"):
            anchor = f"s{int(m.group('section'))}-p{int(m.group('num'))}"
        elif groups.get("pre"):
            anchor = f"preamble-{int(m.group('num'))}"
        else:
            anchor = f"para-{int(m.group('num'))}" + (f"-{sub.lower()}" if sub else "")
        refs.append(ClauseReference(doc_id, anchor))
    return refs


_OF = re.compile(r"\s*(?:of|in)\s+(?:the\s+)?", re.IGNORECASE)


def _owner(query: str, ref: re.Match[str], mentions: list[tuple[str, int]]) -> str:
    """The document a paragraph reference belongs to: the one named right after it
    ("para 12 of resolution 80/173"), else the nearest named before it ("GDC para 33(b)"),
    else the nearest named after it."""
    of = _OF.match(query, ref.end())
    if of:
        following = [doc for doc, pos in mentions if pos == of.end()]
        if following:
            return following[0]
    before = [(doc, pos) for doc, pos in mentions if pos < ref.start()]
    if before:
        return before[-1][0]
    return mentions[0][0] if mentions[0][1] > ref.start() else mentions[-1][0]
