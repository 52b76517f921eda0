"""Structure of UN resolutions and outcome documents: title block, preambular paragraphs,
numbered operative paragraphs, lettered subparagraphs, roman items, headings, footnotes.

Numbers are kept exactly as printed: a gap, a duplicate, a "bis" or a range such as
"16-26" becomes a warning, never a silent renumbering. A list numbered "1." ... inside a
paragraph whose lead-in ends with a colon (the five objectives in para. 7 of the Global
Digital Compact) stays part of that paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.vocabulary import ClauseKind
from .clauses import Clause, ClauseCollector, HeadingStack, StructureResult, collect_footnotes, slug
from .source import Block, SourceDocument

PARAGRAPH_NUMBER = re.compile(r"^(?P<num>\d+)(?:\s?(?P<suffix>bis|ter|quater))?(?:\s?[-–]\s?(?P<to>\d+))?\.\s+")
SUBPARAGRAPH_MARK = re.compile(r"^\((?P<tok>[ivxlc]+|[a-z]{1,2})\)\s+")
_OPENING = re.compile(
    r"^(The (General Assembly|Economic and Social Council|Security Council|Human Rights Council)\b|We, the\b)"
)
_BARE_OPENING_MAX = 40  # "The General Assembly," alone stays in the title block
_CLOSING = re.compile(r"^\d+(st|nd|rd|th) plenary meeting\b")
_ANNEX = re.compile(r"^Annex\b", re.IGNORECASE)
_SECTION_HEADING = re.compile(r"^(Objective \d+|[A-Z]\.|[IVXL]+\.|Part|Chapter|Section)\s")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def looks_like_heading(block: Block) -> bool:
    """A short unnumbered line without closing punctuation ("Introduction", "A. Principles")."""
    text = block.text
    if PARAGRAPH_NUMBER.match(text) or SUBPARAGRAPH_MARK.match(text) or _CLOSING.match(text):
        return False
    return len(text) <= 160 and not text.endswith((".", ",", ";", ":")) and (text[0].isupper() or text[0].isdigit())


def heading_level(text: str) -> int:
    if _ANNEX.match(text):
        return 1
    return 2 if _SECTION_HEADING.match(text) else 3


def roman_value(token: str) -> int | None:
    if not _ROMAN.match(token):
        return None
    total = 0
    for char, following in zip(token, token[1:] + " ", strict=True):
        value = _ROMAN_VALUES[char]
        total += -value if following != " " and _ROMAN_VALUES[following] > value else value
    return total


def _next_letter(token: str) -> str:
    return token[:-1] + chr(ord(token[-1]) + 1) if token[-1] != "z" else "a" * (len(token) + 1)


@dataclass
class _Position:
    """Where the operative part is: the paragraph, subparagraph and item being read."""

    paragraph: Clause | None = None
    label: str = ""
    number: int = 0
    subparagraph: Clause | None = None
    expected_letter: str = "a"
    item_value: int = 0
    list_parent: Clause | None = None  # a paragraph holding an embedded numbered list
    list_next: int = 0
    texts: int = 0  # unnumbered text clauses so far


def parse_un_resolution(doc: SourceDocument) -> StructureResult:
    collector = ClauseCollector(doc)
    body = doc.body
    headings = HeadingStack()
    start = _title_and_preamble(collector, body, headings)
    position = _Position()
    for block in body[start:]:
        _read_operative_block(collector, block, position, headings)
    collect_footnotes(collector)
    return collector.result()


def parse_generic(doc: SourceDocument) -> StructureResult:
    """Documents of unknown shape: a leading heading is the title; then headings, numbered
    paragraphs (with their subparagraphs) and plain paragraphs as text clauses."""
    collector = ClauseCollector(doc)
    body = doc.body
    headings = HeadingStack()
    start = 1 if body and looks_like_heading(body[0]) else 0
    if start:
        collector.add(ClauseKind.TITLE, "title", "title", body[:1])
        headings.push(0, body[0].text)
    position = _Position()
    for block in body[start:]:
        _read_operative_block(collector, block, position, headings, prose=True)
    collect_footnotes(collector)
    return collector.result()


def _title_and_preamble(collector: ClauseCollector, body: list[Block], headings: HeadingStack) -> int:
    """Add the title clause and the preambular paragraphs; return the index of the first
    block of the operative part."""
    first_paragraph = next((i for i, b in enumerate(body) if PARAGRAPH_NUMBER.match(b.text)), len(body))
    openings = [i for i in range(first_paragraph) if _OPENING.match(body[i].text)]
    if openings:
        title_end = openings[-1] + 1
    else:
        # No opening formula (an annex such as the Global Digital Compact): the leading
        # headings are the title block and stay above every clause as its heading path.
        title_end = 0
        while title_end < first_paragraph and looks_like_heading(body[title_end]):
            title_end += 1
        for depth, block in enumerate(body[:title_end]):
            headings.push(depth - title_end, block.text)
    opening = body[title_end - 1] if openings and len(body[title_end - 1].text) > _BARE_OPENING_MAX else None
    title_blocks = body[: title_end - 1] if opening else body[:title_end]
    if title_blocks:
        collector.add(ClauseKind.TITLE, "title", "title", title_blocks)
    if opening:
        # "We, the Ministers …, held in New York on …," says who speaks, when and where:
        # its own clause, outside the ordinals of the preambular paragraphs that follow.
        collector.add(ClauseKind.PREAMBLE, "opening", "preamble (opening)", [opening])
    index, ordinal = title_end, 0
    while index < first_paragraph and not looks_like_heading(body[index]):
        ordinal += 1
        collector.add(
            ClauseKind.PREAMBLE, f"preamble-{ordinal}", f"preambular para. {ordinal}", [body[index]], headings.path
        )
        index += 1
    return index


def _read_operative_block(
    collector: ClauseCollector, block: Block, position: _Position, headings: HeadingStack, *, prose: bool = False
) -> None:
    """One block after the preamble. In `prose` (documents of unknown shape) an unnumbered
    paragraph is a text clause of its own; in a resolution it continues the paragraph above."""
    text = block.text
    if _CLOSING.match(text):
        collector.add(ClauseKind.TEXT, "closing", "closing formula", [block], headings.path)
        return
    if block.heading:  # styled as a heading by its source ("## 1. Scope", a bold PDF line)
        headings.push(heading_level(text), text)
        position.paragraph = position.subparagraph = position.list_parent = None
        return
    number = PARAGRAPH_NUMBER.match(text)
    if number:
        _read_paragraph(collector, block, number, position, headings)
        return
    mark = SUBPARAGRAPH_MARK.match(text)
    if mark and position.paragraph is not None:
        _read_subdivision(collector, block, mark.group("tok"), position, headings)
        return
    if looks_like_heading(block):
        headings.push(heading_level(text), text)
        position.paragraph = position.subparagraph = position.list_parent = None
        return
    if position.paragraph is not None and position.subparagraph is None and not prose:
        collector.extend(position.paragraph, [block])
        return
    position.texts += 1
    if not prose:
        collector.warn(f"unnumbered paragraph kept as text: {text[:50]!r}")
    collector.add(ClauseKind.TEXT, f"text-{position.texts}", f"text {position.texts}", [block], headings.path)


def _read_paragraph(
    collector: ClauseCollector, block: Block, number: re.Match[str], position: _Position, headings: HeadingStack
) -> None:
    value = int(number.group("num"))
    suffix, upto = number.group("suffix"), number.group("to")
    if position.list_parent is not None and value == position.list_next and not (suffix or upto):
        collector.extend(position.list_parent, [block])
        position.list_next += 1
        return
    parent = position.paragraph
    if value == 1 and parent is not None and parent.text.rstrip().endswith(":") and position.subparagraph is None:
        collector.warn(
            f"numbering anomaly: '1.' after {parent.locator} (expected {position.number + 1}); "
            f"the numbered list is kept inside {parent.locator}"
        )
        collector.extend(parent, [block])
        position.list_parent, position.list_next = parent, 2
        return
    label = f"{value}{' ' + suffix if suffix else ''}{'-' + upto if upto else ''}"
    if suffix:
        collector.warn(f"numbering anomaly: para. {label} kept verbatim")
    elif upto:
        collector.warn(f"numbering anomaly: range para. {label} kept verbatim")
    elif value != position.number + 1:
        kind = "gap" if value > position.number + 1 else "number goes backwards or repeats"
        collector.warn(f"numbering anomaly ({kind}): para. {value} after para. {position.number}, kept verbatim")
    position.paragraph = collector.add(
        ClauseKind.PARAGRAPH, f"para-{slug(label)}", f"para. {label}", [block], headings.path
    )
    position.label, position.number = label, int(upto or value)
    position.subparagraph, position.expected_letter, position.item_value = None, "a", 0
    position.list_parent = None


def _read_subdivision(
    collector: ClauseCollector, block: Block, token: str, position: _Position, headings: HeadingStack
) -> None:
    """A "(x)" block: a lettered subparagraph, or a roman item ("(ii)") under one. "(i)" right
    after "(h)" is the letter i."""
    assert position.paragraph is not None
    roman = roman_value(token)
    letter_expected = token == position.expected_letter
    if roman == position.item_value + 1 and not (letter_expected and position.item_value == 0):
        owner = position.subparagraph or position.paragraph
        base_anchor = owner.anchor
        base_locator = owner.locator
        position.item_value = roman
        collector.add(
            ClauseKind.ITEM,
            f"{base_anchor}-{token}",
            f"{base_locator} ({token})",
            [block],
            headings.path,
            context=_lead_in(position),
        )
        return
    if not letter_expected:
        collector.warn(
            f"numbering anomaly: ({token}) in {position.paragraph.locator} "
            f"(expected ({position.expected_letter})), kept verbatim"
        )
    position.subparagraph = None  # so that the new subparagraph's lead-in is the paragraph alone
    position.subparagraph = collector.add(
        ClauseKind.SUBPARAGRAPH,
        f"para-{slug(position.label)}-{token}",
        f"para. {position.label} ({token})",
        [block],
        headings.path,
        context=_lead_in(position),
    )
    position.expected_letter, position.item_value = _next_letter(token), 0


def _lead_in(position: _Position) -> str:
    parts = [position.paragraph.text] if position.paragraph is not None else []
    if position.subparagraph is not None:
        parts.append(position.subparagraph.text)
    return "\n".join(parts)
