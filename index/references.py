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
from ..ingest.clauses import slug
from .analysis import caseless, symbol_tokens


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
            doc.id: _roman(_value(m["n"])) if m["n"] else ""
            for doc in documents
            if (m := _ANNEX_OF_SYMBOL.search(doc.symbol))
        }
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
    for group in _locator_groups(query):
        owners = _owners(query, group, mentions, annexes or {})
        ways = [
            (doc, way)
            for doc in owners
            for way in _anchorings(group, doc, mentions, annexes or {}, anchors(doc) if anchors else None)
        ]
        for item in _numbers(group):
            found = next(
                ((doc, way(item)) for doc, way in ways if anchors is None or _exists(way(item), anchors(doc))),
                None,
            )
            if found is None and (not ways or not _names_missing_clauses(group)):
                continue
            refs.append(ClauseReference(*(found or (ways[0][0], ways[0][1](item)))))
    return list(dict.fromkeys(refs))[:_MAX_REFERENCES]


def without_references(query: str, mentions: Sequence[tuple[str, int, int]]) -> str:
    """`query` with the documents' names (`mentions`: their spans) and the clause locators
    blanked out: what it asks beyond naming them."""
    spans = [(start, end) for _, start, end in mentions]
    spans += [(group[0].start, group[-1].end) for group in _locator_groups(query)]
    chars = list(query)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# A locator is a run of levels ("annex I, para. 7", "article 64, paragraph 3", "paragraph 7
# of annex I", "第3节第2段", "附件一第7段"), each found by one pattern whose group `n` is the
# level's number. Paragraph levels may list several ("paragraphs 65 and 66", "paras.
# 121-122", "第121和122段"), a subparagraph's letter after each.
# A subparagraph after the number: "(b)", "(aa)", "(a) (ii)", "3(b)".
_SUB = r"(?:\s*\(?[a-z]{1,2}\))?(?:\s*\([ivx]{1,5}\))?"
_NUMBER_LIST = rf"\d{{1,3}}{_SUB}(?:\s*(?:,|and|to|&|-|–)\s*\d{{1,3}}{_SUB})*(?![\d/])"
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
_ORDINAL_WORDS = "|".join(_ORDINALS)  # "the third preambular paragraph"
_NUMBER_LIST_ZH = r"\d{1,3}(?:\s*(?:、|和|及|至|-|–)\s*\d{1,3})*"
_ROMAN = r"[IVXL]{1,6}\b"
_BLOCK_VERBS = (
    r"(?:considering|recognizing|recognising|noting|recalling|bearing in mind|taking into account|emphasizing|"
    r"acknowledging|aware|convinced|mindful|reaffirming|welcoming|resolves|decides|instructs|invites|requests|"
    r"encourages|urges|calls upon|endorses|recommends|expresses)"
)
# "2", "6 (i)", "b)", "(b)"; not a year ("invites ... 2030").
_BLOCK_ITEM = r"(?:(?P<n>\d{1,2}(?:\s*\([ivx]{1,5}\))?)(?![\d/])|\(?(?P<letter>[a-z])\))"
_LEVELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("annex", re.compile(rf"\bannex\b(?:\s+(?P<n>{_ROMAN}|\d{{1,4}}\b))?", re.IGNORECASE)),
    ("annex", re.compile(r"附件(?P<n>[一二三四五六七八九十])?")),
    ("section", re.compile(rf"(?:\bsection\s+|§\s*)(?P<n>{_ROMAN}|\d{{1,2}}\b)", re.IGNORECASE)),
    ("section", re.compile(r"第\s*(?P<n>\d{1,2})\s*节")),
    ("art", re.compile(rf"\b(?:article|art\.)\s*(?P<n>\d{{1,3}}\b{_SUB})", re.IGNORECASE)),
    ("art", re.compile(r"第\s*(?P<n>\d{1,3})\s*条")),
    ("rule", re.compile(rf"\brule\s+(?P<n>\d{{1,3}}\b{_SUB})", re.IGNORECASE)),
    # The numbered texts of a draft that proposes several ("A/C.6/80/L.1, text 1").
    ("text", re.compile(rf"\btext\s+(?P<n>\d{{1,3}}\b{_SUB})", re.IGNORECASE)),
    # An ITU resolution's items, cited by their block's name ("resolves 2", "considering b)",
    # "instructs the Secretary-General 3 (ii)"): the name may be shortened, the anchors say how.
    ("block", re.compile(rf"\b(?P<name>{_BLOCK_VERBS}(?:\s+(?!\d)[A-Za-z][\w'’&-]*,?){{0,12}}?)\s+{_BLOCK_ITEM}")),
    # ... and a block without items, by its name alone ("expresses its warmest thanks").
    ("block", re.compile(rf"\b(?P<name>{_BLOCK_VERBS}(?:\s+(?!\d)[A-Za-z][\w'’&-]*){{0,12}})")),
    (
        "preamble",
        re.compile(
            rf"\b(?:preambular\s+(?:paragraphs?|paras?\.?)|(?P<short>(?-i:PP)))\s*(?P<n>{_NUMBER_LIST})", re.IGNORECASE
        ),
    ),
    ("preamble", re.compile(rf"序言(?:部分)?\s*第\s*(?P<n>{_NUMBER_LIST_ZH})\s*段")),
    ("preamble", re.compile(rf"\b(?P<n>{_ORDINAL_WORDS})\s+preambular\s+paragraph\b", re.IGNORECASE)),
    ("para", re.compile(rf"\b(?P<n>{_ORDINAL_WORDS})\s+(?:operative\s+)?paragraph\b", re.IGNORECASE)),
    (
        "para",
        re.compile(
            rf"(?<![A-Za-z¶])(?:(?:operative\s+)?(?:paragraphs?|paras?\.?)|¶|(?P<short>(?-i:OP)))\s*(?P<n>{_NUMBER_LIST})",
            re.IGNORECASE,
        ),
    ),
    (
        "para",
        re.compile(rf"第\s*(?P<n>{_NUMBER_LIST_ZH})\s*[段款](?:\s*[（(]?(?P<sub>[a-z])[)）])?"),
    ),
)
_ANNEX_OF_SYMBOL = re.compile(rf",?\s*annex(?:\s+(?P<n>{_ROMAN}|\d{{1,2}}\b))?\s*$", re.IGNORECASE)
_BLOCK_ITEM_ANCHOR = re.compile(r"-(?:\d{1,2}|[a-z])(?:-[ivx]{1,5})?$")  # "-3-ii", "-b" after a block's name
_RANK = {"annex": 0, "section": 1, "art": 2, "rule": 2, "preamble": 3, "para": 3, "text": 3, "block": 3}
_CLAUSES = ("para", "preamble", "art", "rule", "text", "block")  # the levels that name a clause
# What may stand between two levels of one locator: "annex I, para. 7", "paragraph 7 of annex I".
_BETWEEN_LEVELS = re.compile(r"[\s,，、的]*(?:(?:of|in|to|the|thereof)\b[\s,]*)*", re.IGNORECASE)
_MAX_RANGE = 20  # "paras. 1-150" names no clause in particular
_MAX_REFERENCES = 50  # a question pins no more clauses than a page can show
_CHINESE_NUMERALS = "一二三四五六七八九十"
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


_Item = tuple[str, tuple[str, ...]]  # a clause's number and subparagraph labels: ("6", ("d", "i"))


@dataclass(frozen=True)
class _Level:
    kind: str
    value: str  # the number as written: "7", "XVII", "二", "65 and 66", "b" (an item), "" (a bare "annex")
    start: int
    end: int
    sub: str = ""
    # Written as delegates abbreviate it ("OP5", "PP3") or in words ("the first paragraph"):
    # a clause only if the document has it ("PP22" is also the Plenipotentiary Conference of
    # 2022; the Council report's first paragraph is its section 1, para. 1).
    loose: bool = False
    name: str = ""  # an ITU block's name as written: "instructs the Secretary-General"


def _locator_groups(query: str) -> list[list[_Level]]:
    """The query's locators: runs of levels that stand together, in the query's order."""
    found: list[_Level] = []
    for kind, pattern in _LEVELS:
        for m in pattern.finditer(query):
            if not any(m.start() < level.end and level.start < m.end() for level in found):
                named = m.groupdict()
                number = named.get("n") or named.get("letter") or ""
                # An abbreviation or an ordinal word names only a clause the document has.
                loose = bool(named.get("short")) or number.lower() in _ORDINALS
                found.append(
                    _Level(
                        kind,
                        number,
                        m.start(),
                        m.end(),
                        named.get("sub") or "",
                        loose,
                        named.get("name") or "",
                    )
                )
    groups: list[list[_Level]] = []
    for level in sorted(found, key=lambda lv: lv.start):
        last = groups[-1][-1] if groups else None
        joined = last is not None and _BETWEEN_LEVELS.fullmatch(query, last.end, level.start) is not None
        if joined and all(lv.kind != level.kind for lv in groups[-1]):
            groups[-1].append(level)
        else:
            groups.append([level])
    # A locator names a clause: a bare "annex" or "section 3" is a part, not a clause.
    return [g for g in groups if any(lv.kind in _CLAUSES for lv in g)]


def _names_missing_clauses(group: list[_Level]) -> bool:
    """Whether the locator names a clause even where the document lacks it ("paragraph 140
    of A/RES/80/173", which ends at 127: the answer says so). Not one written loosely, nor
    an annex's, article's, rule's, text's or ITU item's: "article 19 of the Universal
    Declaration" in a question about another document is no clause of it."""
    return not any(level.loose or level.kind in ("annex", "art", "rule", "text", "block") for level in group)


def _numbers(group: list[_Level]) -> list[tuple[str, tuple[str, ...]]]:
    """(number, subparagraph labels) of each clause the locator's last level lists:
    "paras. 6 (d) (i) and 7" -> ("6", ("d", "i")), ("7", ())."""
    last = max(group, key=lambda lv: _RANK[lv.kind])
    if last.kind == "block" and (not last.value or last.value.isalpha()):  # "considering b)", a block without items
        return [(last.value, ())]
    if last.value.isalpha():  # a Chinese numeral, an ordinal word
        return [(str(_value(last.value)), ())]
    items = re.findall(rf"(\d{{1,3}})({_SUB})", last.value)
    numbers = [
        (str(int(n)), tuple(re.findall(r"[a-z]+", sub)) or ((last.sub,) if last.sub else ())) for n, sub in items
    ]
    ranged = re.search(r"(\d{1,3})\s*(?:to|-|–|至)\s*(\d{1,3})", last.value)
    if ranged and 0 < int(ranged[2]) - int(ranged[1]) <= _MAX_RANGE:
        numbers = [(str(n), ()) for n in range(int(ranged[1]), int(ranged[2]) + 1)]
    return list(dict.fromkeys(numbers))


def _value(value: str) -> int:
    """A level's number written in Arabic, Roman ("XVII") or Chinese ("二") numerals, or as
    an ordinal word ("third")."""
    if value.isdigit():
        return int(value)
    if value.lower() in _ORDINALS:
        return _ORDINALS.index(value.lower()) + 1
    if value in _CHINESE_NUMERALS:
        return _CHINESE_NUMERALS.index(value) + 1
    total, largest = 0, 0
    for numeral in reversed(value.upper()):
        amount = _ROMAN_VALUES[numeral]
        total += -amount if amount < largest else amount
        largest = max(largest, amount)
    return total


def _roman(number: int) -> str:
    """A number as the anchors write a part's: lower-case Roman (17 -> "xvii")."""
    out = ""
    for amount, numeral in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        count, number = divmod(number, amount)
        out += numeral * count
    return out


def _anchorings(
    group: list[_Level],
    doc: str,
    mentions: Sequence[tuple[str, int, int]],
    annexes: Mapping[str, str],
    doc_anchors: frozenset[str] | None,
) -> list[Callable[[_Item], str]]:
    """The ways the locator may be anchored in `doc` (whose anchors are `doc_anchors`, when
    known), most likely first, each a function of one listed (number, letters). A level
    inside the document's own mention is part of its name ("A/RES/79/1, annex I"), as is the
    annex of a document that is one."""
    spans = [(start, end) for d, start, end in mentions if d == doc]
    levels = {lv.kind: lv for lv in group if not any(start <= lv.start < end for start, end in spans)}
    if doc in annexes and "annex" in levels:
        written = levels.pop("annex").value
        if (_roman(_value(written)) if written else "") != annexes[doc]:
            return []  # annex II of the resolution whose annex I this document is
    last = max(group, key=lambda lv: _RANK[lv.kind]).kind
    clause = last
    if "block" in levels:
        block = levels["block"]
        clause = _block(block.name, doc_anchors) if block.value else _whole_block(block.name, doc_anchors)

    def path(annex: str | None, section: str | None) -> Callable[[_Item], str]:
        def anchor(item: _Item) -> str:
            number, subs = item
            parts = [p for p in (annex, section) if p]
            for kind in ("art", "rule"):
                if kind in levels and kind != last:
                    parts.append(f"{kind}-{int(levels[kind].value.split('(')[0])}")
            parts += [f"{clause}-{number}" if number else clause, *subs]
            return "-".join(parts)

        return anchor

    annex = levels.get("annex")
    annex_ways: list[str | None] = [None, "annex"]  # a convention's articles are its resolution's annex
    if annex:
        number = _value(annex.value) if annex.value else 0
        annex_ways = [f"annex-{_roman(number)}", f"annex-{number}"] if number else ["annex"]
    section = levels.get("section")
    if section and last == "para" and not annex:
        number = _value(section.value)
        report = _report_paragraph(number)
        resolution = path(None, f"section-{_roman(number)}")
        return [report, resolution] if section.value.isdigit() else [resolution, report]
    return [path(way, f"section-{_roman(_value(section.value))}" if section else None) for way in annex_ways]


def _block(name: str, doc_anchors: frozenset[str] | None) -> str:
    """The anchor of an ITU resolution's block its (maybe shortened) name names: "instructs
    the Secretary-General" is "instructs-the-secretary-general-and-the-directors-of-the-bureaux"
    in a resolution that has no shorter block so named."""
    written = slug(name)
    blocks = {
        _BLOCK_ITEM_ANCHOR.sub("", anchor)
        for anchor in doc_anchors or ()
        if anchor == written or anchor.startswith(written + "-")
    }
    return min(blocks, key=len) if blocks else written


def _whole_block(name: str, doc_anchors: frozenset[str] | None) -> str:
    """The anchor of a block without items that the words `name` begin with: the longest
    run of them that is one ("expresses its warmest thanks and deepest gratitude to ...")."""
    words = name.split()
    runs = (slug(" ".join(words[:n])) for n in range(len(words), 0, -1))
    return next((run for run in runs if run in (doc_anchors or ())), slug(name))


def _report_paragraph(section: int) -> Callable[[_Item], str]:
    return lambda item: f"s{section}-p{item[0]}"


def _exists(anchor: str, anchors: frozenset[str]) -> bool:
    """Whether the document holds the clause: itself, its subclauses, or (a subparagraph it
    keeps inside its paragraph) the paragraph (pinning.clause_rows finds the same)."""
    if anchor in anchors or any(a.startswith(anchor + "-") for a in anchors):
        return True
    parent, _, letter = anchor.rpartition("-")
    return len(letter) == 1 and letter.isalpha() and parent in anchors


_OF = re.compile(r"\s*(?:of|in|to)\s+(?:the\s+)?", re.IGNORECASE)


def _owners(
    query: str, group: list[_Level], mentions: Sequence[tuple[str, int, int]], annexes: Mapping[str, str]
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
