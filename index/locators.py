"""Clause locators: how a question writes which clause of a document it means, and the
ways a document may anchor it.

A locator is a run of levels ("annex I, para. 7", "article 64, paragraph 3", "paragraph 7 of
annex I", "第3节第2段", "附件一第7段", "resolves 6 (i)" of an ITU resolution), each found by
one pattern whose group `n` is the level's number. `locator_groups` reads them from a
question; `clause_items` lists the clauses a locator's last level names; `anchorings` gives
the ways one document may anchor it, most likely first; `holds` says whether a document's
anchors hold one. references.py ties each locator to the document named with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from ..ingest.clauses import slug
from .numerals import ORDINAL_WORDS, numeral_value

# A subparagraph after the number: "(b)", "(aa)", "(a) (ii)", "3(b)".
_SUB = r"(?:\s*\(?[a-z]{1,2}\))?(?:\s*\([ivx]{1,5}\))?"
_NUMBER_LIST = rf"\d{{1,3}}{_SUB}(?:\s*(?:,|and|to|&|-|–)\s*\d{{1,3}}{_SUB})*(?![\d/])"
# "the third preambular paragraph", "the twenty-first paragraph"
_ORDINAL_WORDS = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
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
ANNEX_OF_SYMBOL = re.compile(rf",?\s*annex(?:\s+(?P<n>{_ROMAN}|\d{{1,2}}\b))?\s*$", re.IGNORECASE)
_BLOCK_ITEM_ANCHOR = re.compile(r"-(?:\d{1,2}|[a-z])(?:-[ivx]{1,5})?$")  # "-3-ii", "-b" after a block's name
_RANK = {"annex": 0, "section": 1, "art": 2, "rule": 2, "preamble": 3, "para": 3, "text": 3, "block": 3}
_CLAUSES = ("para", "preamble", "art", "rule", "text", "block")  # the levels that name a clause
# What may stand between two levels of one locator: "annex I, para. 7", "paragraph 7 of annex I".
_BETWEEN_LEVELS = re.compile(r"[\s,，、的]*(?:(?:of|in|to|the|thereof)\b[\s,]*)*", re.IGNORECASE)
_MAX_RANGE = 20  # "paras. 1-150" names no clause in particular


Item = tuple[str, tuple[str, ...]]  # a clause's number and subparagraph labels: ("6", ("d", "i"))


@dataclass(frozen=True)
class Level:
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


def locator_groups(query: str) -> list[list[Level]]:
    """The query's locators: runs of levels that stand together, in the query's order."""
    found: list[Level] = []
    for kind, pattern in _LEVELS:
        for m in pattern.finditer(query):
            if not any(m.start() < level.end and level.start < m.end() for level in found):
                named = m.groupdict()
                number = named.get("n") or named.get("letter") or ""
                # An abbreviation or an ordinal word names only a clause the document has.
                loose = bool(named.get("short")) or number.lower() in ORDINAL_WORDS
                found.append(
                    Level(
                        kind,
                        number,
                        m.start(),
                        m.end(),
                        named.get("sub") or "",
                        loose,
                        named.get("name") or "",
                    )
                )
    groups: list[list[Level]] = []
    for level in sorted(found, key=lambda lv: lv.start):
        last = groups[-1][-1] if groups else None
        joined = last is not None and _BETWEEN_LEVELS.fullmatch(query, last.end, level.start) is not None
        if joined and all(lv.kind != level.kind for lv in groups[-1]):
            groups[-1].append(level)
        else:
            groups.append([level])
    # A locator names a clause: a bare "annex" or "section 3" is a part, not a clause.
    return [g for g in groups if any(lv.kind in _CLAUSES for lv in g)]


def names_missing_clauses(group: list[Level]) -> bool:
    """Whether the locator names a clause even where the document lacks it ("paragraph 140
    of A/RES/80/173", which ends at 127: the answer says so). Not one written loosely, nor
    an annex's, article's, rule's, text's or ITU item's: "article 19 of the Universal
    Declaration" in a question about another document is no clause of it."""
    return not any(level.loose or level.kind in ("annex", "art", "rule", "text", "block") for level in group)


def clause_items(group: list[Level]) -> list[tuple[str, tuple[str, ...]]]:
    """(number, subparagraph labels) of each clause the locator's last level lists:
    "paras. 6 (d) (i) and 7" -> ("6", ("d", "i")), ("7", ())."""
    last = max(group, key=lambda lv: _RANK[lv.kind])
    if last.kind == "block" and (not last.value or last.value.isalpha()):  # "considering b)", a block without items
        return [(last.value, ())]
    if last.value.isalpha():  # a Chinese numeral, an ordinal word
        return [(str(numeral_value(last.value)), ())]
    items = re.findall(rf"(\d{{1,3}})({_SUB})", last.value)
    numbers = [
        (str(int(n)), tuple(re.findall(r"[a-z]+", sub)) or ((last.sub,) if last.sub else ())) for n, sub in items
    ]
    ranged = re.search(r"(\d{1,3})\s*(?:to|-|–|至)\s*(\d{1,3})", last.value)
    if ranged and 0 < int(ranged[2]) - int(ranged[1]) <= _MAX_RANGE:
        numbers = [(str(n), ()) for n in range(int(ranged[1]), int(ranged[2]) + 1)]
    return list(dict.fromkeys(numbers))


def roman(number: int) -> str:
    """A number as the anchors write a part's: lower-case Roman (17 -> "xvii")."""
    out = ""
    for amount, numeral in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        count, number = divmod(number, amount)
        out += numeral * count
    return out


def anchorings(
    group: list[Level],
    doc: str,
    mentions: Sequence[tuple[str, int, int]],
    annexes: Mapping[str, str],
    doc_anchors: frozenset[str] | None,
) -> list[Callable[[Item], str]]:
    """The ways the locator may be anchored in `doc` (whose anchors are `doc_anchors`, when
    known), most likely first, each a function of one listed (number, letters). A level
    inside the document's own mention is part of its name ("A/RES/79/1, annex I"), as is the
    annex of a document that is one."""
    spans = [(start, end) for d, start, end in mentions if d == doc]
    levels = {lv.kind: lv for lv in group if not any(start <= lv.start < end for start, end in spans)}
    if doc in annexes and "annex" in levels:
        written = levels.pop("annex").value
        if (roman(numeral_value(written)) if written else "") != annexes[doc]:
            return []  # annex II of the resolution whose annex I this document is
    last = max(group, key=lambda lv: _RANK[lv.kind]).kind
    clause = last
    if "block" in levels:
        block = levels["block"]
        clause = _block(block.name, doc_anchors) if block.value else _whole_block(block.name, doc_anchors)

    def path(annex: str | None, section: str | None) -> Callable[[Item], str]:
        def anchor(item: Item) -> str:
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
        number = numeral_value(annex.value) if annex.value else 0
        annex_ways = [f"annex-{roman(number)}", f"annex-{number}"] if number else ["annex"]
    section = levels.get("section")
    if section and last == "para" and not annex:
        number = numeral_value(section.value)
        report = _report_paragraph(number)
        resolution = path(None, f"section-{roman(number)}")
        return [report, resolution] if section.value.isdigit() else [resolution, report]
    return [path(way, f"section-{roman(numeral_value(section.value))}" if section else None) for way in annex_ways]


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


def _report_paragraph(section: int) -> Callable[[Item], str]:
    return lambda item: f"s{section}-p{item[0]}"


def clause_anchors(anchor: str, anchors: Collection[str]) -> list[str]:
    """The anchors, among a document's `anchors` (in their order), of the clause `anchor`
    names: itself, or, for a subparagraph of a paragraph the document keeps whole (its
    subparagraphs are no clauses of their own: "GDC para 33(b)" in a text that does not
    split para. 33), the paragraph; then its subclauses ("para-71" brings "para-71-a", ...).
    A letter missing beside the subparagraphs a document does split ("para. 11 (h)" where
    para. 11 ends at (g)) names nothing."""
    own = [a for a in anchors if a == anchor]
    parent, _, letter = anchor.rpartition("-")
    if not own and len(letter) == 1 and letter.isalpha() and not any(a.startswith(parent + "-") for a in anchors):
        own = [a for a in anchors if a == parent]
    return [*own, *(a for a in anchors if a.startswith(anchor + "-"))]


def holds(anchor: str, anchors: Collection[str]) -> bool:
    """Whether a document with these `anchors` holds the clause `anchor` names."""
    return bool(clause_anchors(anchor, anchors))
