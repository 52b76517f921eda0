"""Structure of ITU resolutions (Plenipotentiary, Council, WTDC, WTSA...): a title block,
then blocks opened by a verb (*considering*, *recognizing*, *noting*, *resolves*,
*instructs the Secretary-General*, *invites Member States*, ...) whose items are lettered
("a)") or numbered ("1"), and numbered items may hold roman ones ("i)"). The block name
is part of the citation: "resolves 2", "considering b)", "resolves 6 (i)",
"instructs the Secretary-General 1".

Converted texts (the PP-18 Final Acts through an XML converter) run some items and block
names into the line before ("...; 10 to maintain ..., instructs the Secretary-General and
the Directors of the Bureaux"), several roman items onto one line, and footnotes inline
after a rule of underscores. A line is therefore cut, before parsing, where an item mark
or an operative block name follows a "," or ";", and at such a rule; every piece keeps
its place in the document's text.
"""

from __future__ import annotations

import re

from ..core.vocabulary import ClauseKind
from .clauses import Clause, ClauseCollector, StructureResult, collect_footnotes, slug
from .source import Block, SourceDocument

_BLOCK_VERB = re.compile(
    r"^(?:further |also |and )?(considering|recognizing|recognising|noting|recalling|bearing in mind|"
    r"taking into account|taking note|emphasizing|emphasising|acknowledging|aware|convinced|having regard|"
    r"observing|mindful|reaffirming|welcoming|resolves|decides|instructs|invites|requests|encourages|urges|"
    r"calls upon|appeals|endorses|recommends|expresses)\b",
    re.IGNORECASE,
)
_OPERATIVE_VERBS = r"(?:further )?(?:resolves|decides|instructs|invites|requests|encourages|urges|calls upon|expresses)"
# Where a run-on line is cut: before an item ("; 10 to", "; ii) "), before an operative
# block name after a comma or semicolon, and around an inline footnote rule.
_CUT = re.compile(
    rf"(?<=[;,:.])\s+(?=\d+\s+(?:to|that)\s|[ivx]+\)\s+\S|{_OPERATIVE_VERBS}\b)"
    r"|\s*_{5,}\s*"
)
_INLINE_FOOTNOTE = re.compile(r"^\d+\s+\S")
_NAME_END = re.compile(r"\s(?=(?:to|that)\s)")  # "instructs the Director ... to follow, ...": name, then text
_BLOCK_NAME_MAX = 120
_LETTER_ITEM = re.compile(r"^(?P<tok>[a-z])\)\s+")
_ROMAN_ITEM = re.compile(r"^(?P<tok>[ivx]+)\)\s+")
_NUMBER_ITEM = re.compile(r"^(?P<tok>\d+)(?:\.|\))?\s+")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def block_name(block: Block) -> str | None:
    """The block's name when `block` is a block heading ("instructs the Secretary-General")."""
    text = block.text.strip().rstrip(",:")
    if len(text) > _BLOCK_NAME_MAX or text.endswith((".", ";")) or not _BLOCK_VERB.match(text):
        return None
    return text


def _piece(block: Block, start: int, end: int, *, footnote: bool = False) -> Block:
    text = block.text[start:end]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    at = block.start + start + lead
    refs = tuple((o, m) for o, m in block.footnote_refs if at <= o <= at + len(text))
    return Block(block.index, text, at, at + len(text), footnote or block.footnote, block.heading, refs)


def _pieces(block: Block) -> list[Block]:
    """`block` cut at run-on item marks, block names and inline footnote rules; the piece
    after a rule is a footnote up to the next cut."""
    pieces: list[Block] = []
    cursor = 0
    after_rule = False
    for match in _CUT.finditer(block.text):
        if match.start() > cursor:
            pieces.append(_piece(block, cursor, match.start(), footnote=after_rule))
        after_rule = "_" in match.group(0)
        cursor = match.end()
    if cursor < len(block.text):
        pieces.append(_piece(block, cursor, len(block.text), footnote=after_rule))
    out: list[Block] = []
    for piece in pieces:
        name = _BLOCK_VERB.match(piece.text)
        end = _NAME_END.search(piece.text)
        if (
            name
            and name.group(1).lower() in _OPERATIVE_VERBS
            and end
            and len(piece.text[: end.start()]) <= _BLOCK_NAME_MAX
        ):
            # "instructs the Director of the Telecommunication Development Bureau to follow, ..."
            offset = piece.start - block.start
            out.append(_piece(block, offset, offset + end.start()))
            out.append(_piece(block, offset + end.end(), piece.end - block.start))
        else:
            out.append(piece)
    return [p for p in out if p.text]


def parse_itu_resolution(doc: SourceDocument) -> StructureResult:
    collector = ClauseCollector(doc)
    body = [piece for block in doc.body for piece in _pieces(block)]
    first = next((i for i, b in enumerate(body) if block_name(b)), len(body))
    if first:
        collector.add(ClauseKind.TITLE, "title", "title", body[:first])
    name = ""
    expected: str | None = None
    last: Clause | None = None
    numbered: Clause | None = None  # the numbered item that roman items belong to
    roman_next = 1
    for block in body[first:]:
        if block.footnote and _INLINE_FOOTNOTE.match(block.text):
            number = block.text.split()[0]
            collector.add(ClauseKind.FOOTNOTE, f"footnote-{number}", f"footnote {number}", [block])
            continue
        found = block_name(block)
        if found:
            name, expected, last, numbered = found, None, None, None
            continue
        roman = _ROMAN_ITEM.match(block.text)
        if (
            roman
            and numbered is not None
            and _ROMAN.get(roman.group("tok")) == roman_next
            and roman.group("tok") != expected
        ):
            token = roman.group("tok")
            last = collector.add(
                ClauseKind.ITEM, f"{numbered.anchor}-{token}", f"{numbered.locator} ({token})", [block], [name]
            )
            roman_next += 1
            continue
        mark = _LETTER_ITEM.match(block.text) or _NUMBER_ITEM.match(block.text)
        if mark is None:
            if last is not None:
                collector.extend(last, [block])  # a continuation of the item above
            else:
                last = collector.add(ClauseKind.BLOCK_ITEM, slug(name), name, [block], [name])
            continue
        token = mark.group("tok")
        lettered = mark.re is _LETTER_ITEM
        if expected is not None and token != expected:
            collector.warn(f"numbering anomaly: {name} {token} where {expected} was expected, kept verbatim")
        expected = chr(ord(token) + 1) if lettered else str(int(token) + 1)
        locator = f"{name} {token})" if lettered else f"{name} {token}"
        last = collector.add(ClauseKind.BLOCK_ITEM, f"{slug(name)}-{token}", locator, [block], [name])
        numbered, roman_next = (None, 1) if lettered else (last, 1)
    collect_footnotes(collector)
    return collector.result()
