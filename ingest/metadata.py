"""Metadata read from the document itself, for documents the manifest does not know.

A UN document states what it is in its masthead and title block:

    United Nations  A/RES/79/194                      <- symbol
    General Assembly  Distr.: General 23 December 2024 <- issuing body, date of issue
    Seventy-ninth session  Agenda item 15 ...          <- agenda item
    Resolution adopted by the General Assembly on 19 December 2024   <- date of adoption
    [on the report of the Second Committee (A/79/434, para. 21)]
    79/194. Information and communications technologies for sustainable development <- title
    The General Assembly,                               <- the text opens

A draft reads "Italy and Turkmenistan: draft resolution" where a resolution has its
adoption line. An ITU resolution opens "RESOLUTION 140 (REV. DUBAI, 2018)" and its title.
Nothing is taken from the file name: a PDF's spacing can be broken ("A /RES/79/194",
"7 9 / 194.", "20 2 4"), so symbols and numbers are read with the spaces squeezed out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.vocabulary import DocType, DocumentMeta
from .clauses import slug
from .source import SourceDocument
from .symbols import MASTHEAD, symbol_aliases

HEAD_BLOCKS = 25  # the masthead and title block are over well before this
TITLE_MAX_CHARS = 400

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})\b")
_ITU_RESOLUTION = re.compile(r"^RESOLUTION\s+(?P<number>\d+)\s*(?:\((?P<rev>[^)]{3,60})\))?", re.IGNORECASE)
_ITU_BODY = re.compile(r"^The (?P<body>Plenipotentiary Conference|World [A-Za-z ]+Conference|Council)\b[^,]*")
_OPENING = re.compile(
    r"^(?:The\s+(?:General\s+Assembly|Economic\s+and\s+Social\s+Council|Security\s+Council|"
    r"Human\s+Rights\s+Council|Council|Conference)\s*,|We,\s+the\b)"
)
# Masthead lines that end the title block when read backwards from the opening.
_NOT_TITLE = re.compile(
    r"^\[.*\]$|draft\s+(?:resolution|decision)\b|\badopted\s+by\b|^on\s+\d|\bagenda\s+item\b|"
    r"^Item\s+\d|Distr\.|^[A-Z][a-z]+(?:-[a-z]+)?\s+session\b|^United\s*Nations\s*[A-Z]{1,3}/|^Original:|^RESOLUTION\s+\d|"
    r"\bamendments?\s+to\b",
    re.IGNORECASE,
)
_STAR_NOTE = re.compile(r"^\*+\s")
_NUMBER_PREFIX = re.compile(r"^\d[\d\s]*/\s*\d[\d\s]*\.\s*")  # "79/194. " before a resolution's title
_AGENDA_ITEM = re.compile(r"\b(?:Agenda\s+items?|Items?)\s+(?P<item>\d+(?:\s*\([a-z]\))?)", re.IGNORECASE)
_BODIES = (
    ("Economic and Social Council", "UN Economic and Social Council"),
    ("Security Council", "UN Security Council"),
    ("Human Rights Council", "UN Human Rights Council"),
    ("General Assembly", "UN General Assembly"),
)
_BODY_OF_SYMBOL = (
    ("A/HRC/", "UN Human Rights Council"),
    ("A/", "UN General Assembly"),
    ("E/", "UN Economic and Social Council"),
    ("S/", "UN Security Council"),
)
_COMMITTEES = {"1": "First", "2": "Second", "3": "Third", "4": "Fourth", "5": "Fifth", "6": "Sixth"}


@dataclass(frozen=True)
class DocumentFacts:
    """What the document says about itself; `shape` names the structure parser that fits."""

    symbol: str
    title: str
    body: str
    type: DocType
    date: str | None
    agenda_item: str | None
    shape: str


def squeeze_digits(text: str) -> str:
    """Spaces a PDF put between digits and around slashes taken out: "7 9 / 194" -> "79/194"."""
    text = re.sub(r"(?<=\d)[ \t]+(?=\d)", "", text)
    return re.sub(r"[ \t]*/[ \t]*", "/", text)


def _tidy(text: str) -> str:
    """One line, no space before closing punctuation or after opening brackets."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([,.;:)\]])", r"\1", text)
    return re.sub(r"([(\[])\s+", r"\1", text)


def read_facts(doc: SourceDocument) -> DocumentFacts | None:
    """The document's own statement of what it is; None when it is neither a UN document
    with a masthead symbol nor an ITU resolution."""
    # Notes under the masthead ("* Any changes to the list of sponsors ...") are no part of it.
    head = [text for b in doc.body[:HEAD_BLOCKS] if not _STAR_NOTE.match(text := _tidy(b.text))]
    return _un_facts(head) or _itu_facts(head)


def masthead_symbol(head: list[str]) -> str | None:
    """The symbol of a UN masthead among the first lines ("United Nations A/RES/79/194")."""
    return next((m.group("symbol") for line in head[:4] if (m := MASTHEAD.match(squeeze_digits(line)))), None)


def _un_facts(head: list[str]) -> DocumentFacts | None:
    symbol = masthead_symbol(head)
    if symbol is None:
        return None
    opening = next((i for i, line in enumerate(head) if _OPENING.match(line)), None)
    if opening is None:  # an amendment, a letter: the title is the block after the masthead
        marked = [i for i, line in enumerate(head[: HEAD_BLOCKS // 2]) if _is_masthead(line)]
        opening = min(marked[-1] + 2, len(head)) if marked else len(head)
    masthead = "\n".join(head[:opening])  # one block a line: digits never run across blocks
    squeezed = squeeze_digits(masthead)
    adopted = re.search(rf"adopted by the [A-Za-z ]+?\s+on\s+(?P<date>{_DATE.pattern})", squeezed)
    issued = _DATE.search(squeezed)
    date_text = adopted.group("date") if adopted else issued.group(0) if issued else None
    date = _iso_date(date_text) if date_text else None
    agenda = _AGENDA_ITEM.search(squeezed)
    return DocumentFacts(
        symbol=symbol,
        title=_title(head, opening) or symbol,
        body=_un_body(symbol, masthead),
        type=_un_type(symbol, masthead),
        date=date,
        agenda_item=_tidy(agenda.group("item")) if agenda else None,
        shape="un-resolution",
    )


def _is_masthead(line: str) -> bool:
    return bool(_NOT_TITLE.search(line) or MASTHEAD.match(squeeze_digits(line)))


def _title(head: list[str], opening: int) -> str:
    """The blocks just above the opening line, up to the masthead line before them."""
    start = opening
    while start > 0 and not _is_masthead(head[start - 1]):
        start -= 1
    title = " ".join(head[start:opening])
    title = _NUMBER_PREFIX.sub("", title) if _NUMBER_PREFIX.match(squeeze_digits(title[:12])) else title
    return _tidy(title)[:TITLE_MAX_CHARS]


def _un_body(symbol: str, masthead: str) -> str:
    committee = re.match(r"A/C\.(\d)/", symbol)
    if committee and committee.group(1) in _COMMITTEES:
        return f"UN General Assembly, {_COMMITTEES[committee.group(1)]} Committee"
    by_prefix = next((name for prefix, name in _BODY_OF_SYMBOL if symbol.startswith(prefix)), None)
    return by_prefix or next((name for words, name in _BODIES if words in masthead), "United Nations")


def _un_type(symbol: str, masthead: str) -> DocType:
    if "/L." in symbol or re.search(r"draft\s+(?:resolution|decision)", masthead, re.IGNORECASE):
        return DocType.DRAFT
    if "/DEC/" in symbol or re.search(r"Decision\s+adopted\s+by", masthead):
        return DocType.DECISION
    if "/RES/" in symbol:
        return DocType.RESOLUTION
    if re.search(r"\bReport\s+of\b", masthead):
        return DocType.REPORT
    return DocType.OTHER


def _itu_facts(head: list[str]) -> DocumentFacts | None:
    match = next((m for line in head[:3] if (m := _ITU_RESOLUTION.match(line))), None)
    if match is None:
        return None
    revision = _tidy(match.group("rev") or "")
    symbol = f"Resolution {match.group('number')}" + (f" ({_title_case(revision)})" if revision else "")
    line = head.index(match.string)
    opening = next((i for i, text in enumerate(head) if _ITU_BODY.match(text)), None)
    title = " ".join(head[line + 1 : opening]) if opening is not None and opening > line + 1 else ""
    body = _ITU_BODY.match(head[opening]).group("body") if opening is not None else None  # type: ignore[union-attr]
    year = re.search(r"\b(\d{4})\b", revision)
    return DocumentFacts(
        symbol=symbol,
        title=_tidy(title) or symbol,
        body=f"ITU {body}" if body else "ITU",
        type=DocType.RESOLUTION,
        date=year.group(1) if year else None,
        agenda_item=None,
        shape="itu-resolution",
    )


def _title_case(revision: str) -> str:
    """ "REV. DUBAI, 2018" -> "Rev. Dubai, 2018" (the form ITU cites)."""
    return revision.title() if revision.isupper() else revision


def _iso_date(text: str) -> str:
    day, month, year = _DATE.match(text).groups()  # type: ignore[union-attr]
    number = _MONTHS.split("|").index(month) + 1
    return f"{year}-{number:02d}-{int(day):02d}"


def document_id(symbol: str) -> str:
    """The id of a document the manifest does not know: its symbol as a slug
    ("A/RES/80/118" -> "a-res-80-118", "Resolution 140 (Rev. Dubai, 2018)" ->
    "resolution-140-rev-dubai-2018")."""
    return slug(symbol) or "document"


def meta_from_document(doc: SourceDocument, lang: str, fallback_name: str) -> tuple[DocumentMeta, str]:
    """(metadata, structure shape) of a document the manifest does not know. Front matter
    wins where it says something; what the text says comes next; a document that says
    nothing about itself is named by `fallback_name` (its file name) and parsed as generic."""
    facts = read_facts(doc)
    front = doc.front_matter
    symbol = front.get("symbol") or (facts.symbol if facts else fallback_name)
    first_block = _tidy(doc.body[0].text)[:200] if doc.body else fallback_name
    meta = DocumentMeta(
        id=front.get("id") or document_id(symbol),
        symbol=symbol,
        short=front.get("short") or symbol,
        title=front.get("title") or (facts.title if facts else first_block),
        body=front.get("body") or (facts.body if facts else "unknown"),
        type=DocType(front["type"]) if front.get("type") in set(DocType) else (facts.type if facts else DocType.OTHER),
        date=front.get("date") or (facts.date if facts else None),
        lang=lang,
        aliases=symbol_aliases(symbol),
        agenda_item=facts.agenda_item if facts else None,
    )
    return meta, facts.shape if facts else "generic"
