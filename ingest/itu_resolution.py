"""Structure of ITU resolutions (Plenipotentiary, Council, WTDC, WTSA...): a title block,
then blocks opened by a verb (*considering*, *recognizing*, *noting*, *resolves*,
*instructs the Secretary-General*, *invites Member States*, ...) whose items are lettered
("a)") or numbered ("1"). The block name is part of the citation: "resolves 2",
"considering b)", "instructs the Secretary-General 1".
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
    r"calls upon|appeals|endorses|recommends)\b",
    re.IGNORECASE,
)
_BLOCK_NAME_MAX = 120
_LETTER_ITEM = re.compile(r"^(?P<tok>[a-z])\)\s+")
_NUMBER_ITEM = re.compile(r"^(?P<tok>\d+)(?:\.|\))?\s+")


def block_name(block: Block) -> str | None:
    """The block's name when `block` is a block heading ("instructs the Secretary-General")."""
    text = block.text.strip().rstrip(",:")
    if len(text) > _BLOCK_NAME_MAX or text.endswith((".", ";")) or not _BLOCK_VERB.match(text):
        return None
    return text


def parse_itu_resolution(doc: SourceDocument) -> StructureResult:
    collector = ClauseCollector(doc)
    body = doc.body
    first = next((i for i, b in enumerate(body) if block_name(b)), len(body))
    if first:
        collector.add(ClauseKind.TITLE, "title", "title", body[:first])
    name = ""
    expected: str | None = None
    last: Clause | None = None
    for block in body[first:]:
        found = block_name(block)
        if found:
            name, expected, last = found, None, None
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
    collect_footnotes(collector)
    return collector.result()
