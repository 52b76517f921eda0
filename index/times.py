"""The years and General Assembly sessions a question names: "in 2024", "the 2025
resolution", "at its seventy-ninth session", "the 79th session", "第七十九届会议".

A soft constraint of the search (priors.py): the documents of a named session, or of a
year the question gives a document ("the 2024 resolution", "the 2023 TB declaration",
"adopted in 2024", "决议（2025年）"), gain; the others keep their score. A year that dates an
event ("the 2025 high-level event") does not date the document that reports it. "2030
Agenda" names an agenda, not a year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numerals import ORDINAL_WORDS, han_number

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)(?!\s*(?:agenda|议程))", re.IGNORECASE)
_DOCUMENT_WORDS = (
    r"resolutions?|declarations?|drafts?|decisions?|texts?|outcomes?|documents?|conventions?|"
    r"agreements?|programmes?|commitments?|compacts?|pacts?"
)
# A year with a document word at most three words after it, or after "adopted in" or a
# document word and "of"/"in"/"from" ("the resolutions of 2023 and 2024"). The words after a
# year are looked ahead at, not taken: in "the 2023 and 2024 resolutions" each year is dated;
# the end of a period ("the 2024–2034 programme") is not.
_YEARS = r"(?:19|20)\d\d(?:\s*(?:,|and|or|&)\s*(?:19|20)\d\d)*"
_DOCUMENT_YEAR = re.compile(
    rf"(?<!\d)(?<!\d[-–])((?:19|20)\d\d)(?!\d)(?=(?:\W+\w+){{0,3}}?\W+(?:{_DOCUMENT_WORDS})\b)|"
    rf"\b(?:adopted|{_DOCUMENT_WORDS})\s+(?:in|of|from)\s+({_YEARS})(?!\d)",
    re.IGNORECASE,
)
_HAN_DOCUMENT = "决议|宣言|草案|决定|成果文件|公约|承诺|契约"
_HAN_DOCUMENT_YEAR = re.compile(
    rf"((?:19|20)\d\d)年(?=[^。？！?]{{0,12}}?(?:{_HAN_DOCUMENT}))|(?:{_HAN_DOCUMENT})\s*[（(]\s*((?:19|20)\d\d)年?"
)
# Sessions are named from the twentieth on ("the first session" is another body's).
_ORDINALS = {word: n for word, n in ORDINAL_WORDS.items() if n >= 20}
_ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))
# "the seventy-eighth and seventy-ninth sessions": every ordinal of the list is a session.
_WORD_SESSION = re.compile(
    rf"\b((?:(?:{_ORDINAL})\s*(?:,|and|or)\s*)*(?:{_ORDINAL}))\s+(?:regular\s+)?sessions?\b", re.IGNORECASE
)
_WORD_ORDINAL = re.compile(rf"\b(?:{_ORDINAL})\b", re.IGNORECASE)
_NUMBER_SESSION = re.compile(
    r"\b((?:\d{1,3}(?:st|nd|rd|th)\s*(?:,|and|or)\s*)*\d{1,3}(?:st|nd|rd|th))\s+(?:regular\s+)?sessions?\b"
    r"|\bsession\s+(\d{1,3})\b",
    re.IGNORECASE,
)
_HAN_SESSION = re.compile(r"第([一二三四五六七八九十]{1,4}|\d{1,3})届(?:会议|会)?")


@dataclass(frozen=True)
class NamedTimes:
    years: frozenset[int] = frozenset()  # every year the question names
    sessions: frozenset[int] = frozenset()
    document_years: frozenset[int] = frozenset()  # the years it gives a document

    def __bool__(self) -> bool:
        return bool(self.years or self.sessions)


def named_times(text: str) -> NamedTimes:
    """The years and sessions `text` names."""
    years = {int(m.group(1)) for m in _YEAR.finditer(text)}
    sessions = {
        _ORDINALS[word.group(0).lower()]
        for m in _WORD_SESSION.finditer(text)
        for word in _WORD_ORDINAL.finditer(m.group(1))
    }
    sessions |= {int(n) for m in _NUMBER_SESSION.finditer(text) for n in re.findall(r"\d+", m.group(1) or m.group(2))}
    sessions |= {n for m in _HAN_SESSION.finditer(text) if (n := han_number(m.group(1)))}
    dated = [*_DOCUMENT_YEAR.finditer(text), *_HAN_DOCUMENT_YEAR.finditer(text)]
    document_years = {int(y) for m in dated for y in re.findall(r"\d{4}", m.group(1) or m.group(2))} & years
    return NamedTimes(frozenset(years), frozenset(sessions), frozenset(document_years))
