"""Structure of ITU Council reports (Chinese or English): the front part (purpose, action
required, link to the strategic plan, financial implications, references), then numbered
sections whose paragraphs are cited by position: "section 7, para. 3" is the third
non-empty line after the heading of section 7 (list items count as paragraphs).

A section heading can wrap onto a short continuation line without closing punctuation
("…最新" + "情况"): that line belongs to the heading.
"""

from __future__ import annotations

import re

from ..core.vocabulary import ClauseKind
from .clauses import Clause, ClauseCollector, StructureResult, collect_footnotes
from .source import Block, SourceDocument

# (anchor suffix, English name shown in the locator, the label as printed, lower-cased)
FRONT_PARTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("purpose", "purpose", ("目的", "purpose")),
    ("action", "action required", ("理事会需采取的行动", "action required by the council", "action required")),
    (
        "strategic-plan",
        "link to the Strategic Plan",
        ("与《战略规划》的关联", "relevant link with the strategic plan", "link to the strategic plan"),
    ),
    ("financial", "financial implications", ("财务影响", "financial implications")),
    ("references", "references", ("参考文件", "references")),
]
FRONT_LABELS: dict[str, tuple[str, str]] = {
    spelling: (suffix, english) for suffix, english, spellings in FRONT_PARTS for spelling in spellings
}
_SECTION_HEADING = re.compile(r"^(?P<num>\d+)\s+(?P<title>\S.*)$")
_SENTENCE_END = ("。", "；", "：", "，", ".", ";", ":", ",", "!", "?", "！", "？")
_HEADING_CONTINUATION_MAX = 12


def _front_label(text: str) -> tuple[str, str, str] | None:
    key = text.strip().rstrip(":：").lower()
    if key in FRONT_LABELS:
        suffix, english = FRONT_LABELS[key]
        label = text.strip().rstrip(":：")
        locator = f"front part: {label} ({english})" if label.lower() != english.lower() else f"front part: {english}"
        return suffix, locator, label
    return None


def _is_heading_continuation(text: str) -> bool:
    return len(text) <= _HEADING_CONTINUATION_MAX and not text.endswith(_SENTENCE_END) and not text.startswith("–")


def parse_council_report(doc: SourceDocument) -> StructureResult:
    collector = ClauseCollector(doc)
    body = doc.body
    first_front = next((i for i, b in enumerate(body) if _front_label(b.text)), None)
    first_section = next((i for i, b in enumerate(body) if _section_number(b) == 1), len(body))
    start = first_front if first_front is not None and first_front < first_section else first_section
    if start:
        collector.add(ClauseKind.TITLE, "title", "title", body[:start])
    _read_front(collector, body[start:first_section])
    _read_sections(collector, body[first_section:])
    collect_footnotes(collector)
    return collector.result()


def _section_number(block: Block) -> int | None:
    match = _SECTION_HEADING.match(block.text)
    if not match or block.text.endswith(_SENTENCE_END) or len(block.text) > 160:
        return None
    return int(match.group("num"))


def _read_front(collector: ClauseCollector, blocks: list[Block]) -> None:
    label: tuple[str, str, str] | None = None
    current: Clause | None = None
    for block in blocks:
        found = _front_label(block.text)
        if found:
            label, current = found, None
            continue
        if label is None:
            collector.warn(f"front part text before any label kept as text: {block.text[:40]!r}")
            collector.add(ClauseKind.TEXT, f"front-text-{block.index}", "front part", [block])
        elif current is None:
            suffix, locator, name = label
            current = collector.add(ClauseKind.FRONT, f"front-{suffix}", locator, [block], [name])
        else:
            collector.extend(current, [block])


def _read_sections(collector: ClauseCollector, blocks: list[Block]) -> None:
    expected = 1
    heading: list[str] = []
    section = 0
    paragraph = 0
    continuation_allowed = False
    for block in blocks:
        number = _section_number(block)
        if number is not None and number == expected:
            title = _SECTION_HEADING.match(block.text).group("title")  # type: ignore[union-attr]
            section, paragraph, expected = number, 0, number + 1
            heading = [f"{number} {title}"]
            continuation_allowed = True
            continue
        if continuation_allowed and paragraph == 0 and _is_heading_continuation(block.text):
            heading = [heading[0] + block.text]
            continuation_allowed = False
            continue
        continuation_allowed = False
        if number is not None and number > expected:
            collector.warn(f"numbering anomaly: section heading {number} where {expected} was expected, read as text")
        paragraph += 1
        collector.add(
            ClauseKind.SECTION_PARAGRAPH,
            f"s{section}-p{paragraph}",
            f"section {section}, para. {paragraph}",
            [block],
            heading,
        )
