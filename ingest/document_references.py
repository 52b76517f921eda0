"""The documents a clause refers to, with the verb that frames each reference.

UN resolutions name other documents in a few set ways, and this module reads those:
- by symbol, in full ("A/79/62-E/2024/3", "E/CN.16/2018/CRP.3") or as a resolution or
  decision number after its kind word ("its resolutions 56/183 of 21 December 2001 and
  57/238", "Economic and Social Council resolution 2024/13", "resolution 217 A (III)");
  the grammar is `symbols.py`;
- by title, for the outcome documents and treaties cited by name ("the Tunis Agenda", "the
  2030 Agenda", "the Pact for the Future"), with the short form a text uses once it has
  given the full name ("the Treaty"): data, in `document_references.toml`; by a title the
  text quotes ("entitled “The age of digital interdependence”") or a flagship report's
  name ("Digital Economy Report 2024");
- in a footnote: the footnote's documents are references of the clause whose mark points
  to it ("previous resolutions on the issue,1" / "1 Resolutions 56/183, 57/238, ..."), except
  a symbol that only says where a document just named is printed ("the Tunis Agenda,5" /
  "5 See A/60/687"); "Ibid." repeats the footnote before.

Each reference takes the verb that governs it: the nearest framing verb before it in its
clause (the paragraph's opening verb, or one that starts a coordinated part: "..., and
reaffirming", "and requests", "We recall", "decides to endorse"), or a prepositional framing
that introduces it directly ("in accordance with its resolution 70/125"), normalised to the
small vocabulary of the TOML file; any other framing verb is "other". A paragraph the
reference names ("paragraph 55 of the Tunis Agenda", "article 19 of", "paragraphs 72 to 78 of",
"resolution 68/198 ..., in particular paragraph 22 thereof") is kept with it. One reference per
(target, paragraph) per clause, with the verb of its first mention.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from ..core.vocabulary import ClauseKind
from .clauses import Clause
from .symbols import FULL_SYMBOL, KIND_WORD, SHORT_NUMBER, canonical_symbol, short_symbol

RULES = Path(__file__).with_name("document_references.toml")
OTHER = "other"
_FIRST_NUMBER_GAP = 12  # "resolutions 56/183": the first number follows its kind word at once
_LIST_GAP = 150  # later numbers of a list, past dates and a relative clause ("by which it ...")
_TITLE_OWNER_GAP = 40  # "resolution 79/1 entitled “...”": a title so close after a symbol is its
_MARK_AFTER_TITLE = 80  # "entitled “Road map ...”, presented on 11 June 2020,12": the footnote is its symbol
_WORDS_AT_MARK = 8
_NOT_CITING = (ClauseKind.FOOTNOTE, ClauseKind.TITLE, ClauseKind.HEADING)


class DocumentReference(BaseModel):
    """One document a clause refers to."""

    clause: str = Field(description="Anchor of the citing clause, e.g. 'preamble-3'.")
    at: int = Field(description="Offset in the document's normalised text of the mention (or footnote mark).")
    target: str = Field(description="The document referred to: its symbol ('A/RES/70/125'), else its name.")
    name: str | None = Field(
        default=None, description="Its title where known ('Tunis Agenda for the Information Society')."
    )
    verb: str = Field(description="The framing verb, normalised: 'recalls', 'takes note of', ..., 'other'.")
    paragraph: str | None = Field(default=None, description="The part referred to: '55', '72-78', 'article 19'.")
    as_written: str = Field(description="The words that make the reference (with the footnote's text, when in one).")
    footnote: str | None = Field(default=None, description="Number of the footnote that carries the reference.")


@dataclass(frozen=True)
class NamedDocument:
    name: str
    symbol: str | None
    names: tuple[str, ...]
    short: tuple[str, ...] = ()
    locators: tuple[str, ...] = ()
    requires: re.Pattern[str] | None = None

    @property
    def target(self) -> str:
        return self.symbol or self.name


@dataclass(frozen=True, eq=False)  # hashed by identity: one loaded table, cached patterns
class Rules:
    verb_forms: dict[str, str]  # surface form -> normalised verb (or OTHER)
    prepositions: frozenset[str]
    documents: tuple[NamedDocument, ...]

    def named_by_symbol(self, symbol: str) -> NamedDocument | None:
        return next((d for d in self.documents if d.symbol == symbol), None)


@lru_cache
def load_rules(path: Path = RULES) -> Rules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    forms = {form: verb for verb, surface in data["verbs"].items() for form in surface}
    forms |= {form: OTHER for form in data["other_verbs"]}
    documents = tuple(
        NamedDocument(
            name=d["name"],
            symbol=d.get("symbol"),
            names=tuple(d["names"]),
            short=tuple(d.get("short", ())),
            locators=tuple(d.get("locators", ())),
            requires=re.compile(d["requires"]) if d.get("requires") else None,
        )
        for d in data["document"]
    )
    return Rules(forms, frozenset(data["prepositions"]), documents)


@dataclass(frozen=True)
class Mention:
    """A reference found in a text: its span, where its framing is looked for (`group`: the
    start of a coordinated list, "resolutions 56/183 ... and 57/238"), and what it names."""

    start: int
    end: int
    group: int
    target: str
    name: str | None = None
    named: NamedDocument | None = None  # the table's document, for a mention by title
    paragraph: str | None = None
    kind: str = "symbol"  # symbol, name, short, title


# ----- mentions -----

_ITEM = r"(?:paragraphs?|paras?\.|article|Article|rule|action\s+line|section|chapter)"
_PARAGRAPH_BEFORE = re.compile(
    rf"\b(?P<item>{_ITEM})\s+(?P<num>[IVXL]+\.\d+|\d+(?:\.\d+)*(?:\s\([a-z]\))?|[A-Z]\d+)"
    r"(?:\s+(?:to|and|-|–)\s+(?P<to>\d+))?\s+(?:of|in)\s+"
    r"(?:the\s+|its\s+|General\s+Assembly\s+|Economic\s+and\s+Social\s+Council\s+|Council\s+)*$"
)
_PARAGRAPH_THEREOF = re.compile(r"[^;]{0,60}?\bparagraphs?\s+(?P<num>\d+)(?:\s+(?:to|and)\s+(?P<to>\d+))?\s+thereof")
_DETERMINERS = re.compile(r"(?:\b(?:its|the|General\s+Assembly|Assembly)\s+)+$")
_TITLE = re.compile(
    r"(?<!item )(?<!items )\bentitled\s+(?:[“\"](?P<quoted>[^”\"]{3,200})[”\"]|(?P<bare>[A-Z][^,:;”“]{3,120}?)(?=[:,;]|$))"
)
_FLAGSHIP_REPORT = re.compile(
    r"\b(?P<title>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|for|of|on|and|the|in))*\s+(?:Report|Survey)\s+(?:19|20)\d{2})\b"
)
_SENTENCE_END = re.compile(r";|\.\s+[A-Z]")
_IN_A_NAME = re.compile(r"[A-Z][\w-]*\s+(?:of|for|to)\s+$")


def _paragraph(text: str, start: int) -> str | None:
    """The part a mention starting at `start` is referred to by, from the words before it."""
    match = _PARAGRAPH_BEFORE.search(text[max(0, start - 120) : start])
    if match is None:
        return None
    item = match.group("item").lower()
    number = match.group("num") + (f"-{match.group('to')}" if match.group("to") else "")
    if item.startswith("para"):
        return number
    return f"{' '.join(item.split())} {number}"


def _symbol_mentions(text: str) -> list[Mention]:
    mentions = []
    for match in FULL_SYMBOL.finditer(text):
        if text[max(0, match.start() - 1) : match.start()] == "-":  # the second half of a joint symbol
            continue
        target = canonical_symbol(match.group("symbol"), match.group("suffix") or "")
        mentions.append(Mention(match.start(), match.end(), match.start(), target))
    return mentions


def _short_mentions(text: str) -> list[Mention]:
    """Resolutions and decisions named by number after a kind word; a list takes the kind
    word's position as its group (the verb before the list frames every number in it)."""
    mentions = []
    kinds = list(KIND_WORD.finditer(text))
    for index, kind in enumerate(kinds):
        stop = kinds[index + 1].start() if index + 1 < len(kinds) else len(text)
        cursor = kind.end()
        group = kind.start()
        if determiners := _DETERMINERS.search(text, 0, kind.start()):
            group = determiners.start() if determiners.end() == kind.start() else group
        for number in SHORT_NUMBER.finditer(text, cursor, stop):
            gap = text[cursor : number.start()]
            limit = _FIRST_NUMBER_GAP if cursor == kind.end() else _LIST_GAP
            if len(gap) > limit or _SENTENCE_END.search(gap):
                break
            symbol = short_symbol(number, kind.group("kind"), kind.group("body") or "")
            if symbol is not None:
                start = group if cursor == kind.end() else number.start()
                mentions.append(Mention(start, number.end(), group, symbol))
            cursor = number.end()
    return mentions


def _name_mentions(text: str, rules: Rules, named_before: dict[str, NamedDocument]) -> list[Mention]:
    """Documents named by title, and by the short form of one named before (`named_before`:
    short form -> the document last named in full, updated as names are found)."""
    found: list[tuple[int, int, NamedDocument, str]] = []
    for document in rules.documents:
        if document.requires is not None and not document.requires.search(text):
            continue
        for name in document.names:
            # A footnote mark may stay glued to the name in a text reader's output ("Action1").
            for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![^\W\d]|-)", text):
                found.append((match.start(), match.end(), document, "name"))
    shorts = {form for d in rules.documents for form in d.short}
    for form in shorts:
        # Not a full name that opens like it ("the Treaty on the Non-Proliferation ..."), not its
        # possessive ("the Treaty’s Scientific Advisory Group"), not inside a body's name ("the
        # Preparatory Commission for the Entry into Force of the Agreement", "States Parties to the Treaty").
        pattern = rf"\b{re.escape(form)}(?![\w’'-]|\s+(?:on|of)\s+(?:the\s+)?[A-Z])"
        for match in re.finditer(pattern, text):
            if _IN_A_NAME.search(text, 0, match.start()):
                continue
            earlier = [(s, d) for s, e, d, _ in found if form in d.short and s < match.start()]
            shortened = max(earlier, key=lambda item: item[0])[1] if earlier else named_before.get(form)
            if shortened is not None:
                found.append((match.start(), match.end(), shortened, "short"))
    for _, _, document, kind in sorted(found, key=lambda item: item[0]):
        if kind == "name":
            named_before.update(dict.fromkeys(document.short, document))
    return [
        Mention(start, end, start, document.target, document.name, document, kind=kind)
        for start, end, document, kind in found
    ]


def _title_mentions(text: str) -> list[Mention]:
    mentions = []
    for match in _TITLE.finditer(text):
        group = "quoted" if match.group("quoted") else "bare"
        title = " ".join(match.group(group).split()).rstrip(". ")
        mentions.append(Mention(match.start(group), match.end(group), match.start(group), title, title, kind="title"))
    for match in _FLAGSHIP_REPORT.finditer(text):
        title = match.group("title")
        mentions.append(Mention(match.start(), match.end(), match.start(), title, title, kind="title"))
    return mentions


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """Mentions not inside another one (a longer title or name holds a shorter one: "the
    Agreement under the United Nations Convention on the Law of the Sea ..."), in text order."""
    ordered = sorted(mentions, key=lambda m: (m.start, -m.end))
    kept: list[Mention] = []
    for mention in ordered:
        inside = any(
            k.start <= mention.start and mention.end <= k.end and (k.start, k.end) != (mention.start, mention.end)
            for k in kept
        )
        same = any((k.start, k.end, k.target) == (mention.start, mention.end, mention.target) for k in kept)
        if not inside and not same:
            kept.append(mention)
    return kept


def find_mentions(text: str, rules: Rules, named_before: dict[str, NamedDocument] | None = None) -> list[Mention]:
    """Every reference written out in `text`, in text order, each with the paragraph it names
    (a symbol the table knows by name, "resolution 70/1", carries that name)."""
    names = _name_mentions(text, rules, {} if named_before is None else named_before)
    symbols = _symbol_mentions(text) + _short_mentions(text)
    titles = [t for t in _title_mentions(text) if not _title_of_symbol(text, t, symbols)]
    named_symbols = []
    for mention in symbols:
        named = rules.named_by_symbol(mention.target)
        named_symbols.append(replace(mention, name=named.name, named=named) if named else mention)
    mentions = []
    for mention in sorted(_outermost(names + titles) + named_symbols, key=lambda m: m.start):
        paragraph = _paragraph(text, mention.group)
        thereof = (
            _PARAGRAPH_THEREOF.match(text, mention.end) if paragraph is None and mention.kind == "symbol" else None
        )
        if thereof:
            paragraph = thereof.group("num") + (f"-{thereof.group('to')}" if thereof.group("to") else "")
        mentions.append(replace(mention, paragraph=paragraph))
    return mentions


def _title_of_symbol(text: str, title: Mention, symbols: list[Mention]) -> bool:
    """Whether a quoted title is the title of a document named by symbol just before it
    ("resolution 79/1 entitled “The Pact for the Future”")."""
    return any(0 <= title.start - s.end <= _TITLE_OWNER_GAP for s in symbols)


# ----- verbs -----


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    verb: str
    preposition: bool = False


_LEAD = re.compile(
    r"^\s*(?:\d+\.\s*|\([a-z]{1,4}\)\s*)*(?:We\s+)?(?:(?:[Aa]lso|[Ff]urther|[Ff]urthermore|[Aa]gain|[Oo]nce\s+again|[Mm]oreover|[Ss]trongly|[Dd]eeply|[Ff]irmly|[Ff]ully|[Hh]ereby|[Tt]herefore|[Ss]olemnly),?\s+)*"
)
_MID_LEFT = (
    r"(?:[,;:]\s+(?:and\s+)?|\band\s+|\bor\s+|\b[Ww]e\s+|\bto\s+|\bwhile\s+)"
    r"(?:(?:also|further|again|once\s+again|\w+ly)\s+)?"
)


@lru_cache
def _cue_patterns(rules: Rules) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    forms = sorted(rules.verb_forms, key=len, reverse=True)
    alternatives = "|".join(re.escape(form).replace(r"\ ", r"\s+") for form in forms)
    opening = re.compile(rf"(?P<verb>{alternatives})\b", re.IGNORECASE)
    middle = re.compile(rf"{_MID_LEFT}(?P<verb>{alternatives})\b")
    prepositions = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(rules.prepositions))
    return opening, middle, re.compile(rf"\b(?P<verb>{prepositions})\b", re.IGNORECASE)


def _normal(form: str) -> str:
    return " ".join(form.lower().split())


def opening_verb(text: str, rules: Rules) -> str | None:
    """The verb a clause opens with, normalised ("Takes note with appreciation of" -> "takes
    note of", "We further reaffirm" -> "reaffirms"); None when it opens with none of the
    vocabulary's verbs ("Deeply concerned", "(a) To close ...")."""
    lead = _LEAD.match(text)
    opening, _, _ = _cue_patterns(rules)
    match = opening.match(text, lead.end() if lead else 0)
    return rules.verb_forms[_normal(match.group("verb"))] if match else None


def _cues(text: str, lead_in_verb: str | None, rules: Rules) -> list[_Cue]:
    """The framing verbs of a clause: its opening (or its lead-in's, for a subparagraph
    that opens with none), then every verb that starts a coordinated part, and the
    prepositional framings."""
    _, middle, prepositions = _cue_patterns(rules)
    first = opening_verb(text, rules) or lead_in_verb or OTHER
    cues = [_Cue(0, 0, first)]
    cues += [
        _Cue(m.start("verb"), m.end("verb"), rules.verb_forms[_normal(m.group("verb"))]) for m in middle.finditer(text)
    ]
    cues += [
        _Cue(m.start("verb"), m.end("verb"), rules.verb_forms[_normal(m.group("verb"))], True)
        for m in prepositions.finditer(text)
    ]
    return sorted(cues, key=lambda c: c.start)


def governing_verb(text: str, at: int, cues: list[_Cue]) -> str:
    """The verb that frames what stands at `at`: the nearest cue before it; a prepositional
    framing only while no comma or semicolon stands between it and `at`."""
    best = cues[0]
    for cue in cues:
        if cue.start >= at and cue.start > 0:
            break
        if cue.preposition and re.search(r"[,;]", text[cue.end : at]):
            continue
        best = cue
    return best.verb


# ----- footnotes -----

_FOOTNOTE_NUMBER = re.compile(r"^(?P<mark>\d{1,3})\s+")
_IBID = re.compile(r"^(?:See\s+)?[Ii]bid\.?", re.IGNORECASE)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NOT_A_MARK_BEFORE = re.compile(
    r"(?:\b(?:paragraphs?|para\.|paras\.|article|rule|No\.|resolutions?|decisions?|chapter|section|item|items|annex|"
    r"vol\.|within|of|at|least|than|about|to|the|all|some|over|under|by|for|from|and|or|with|on|in|session)|[\d/])\s*$",
    re.IGNORECASE,
)
_NOT_A_MARK_AFTER = re.compile(rf"^\s*(?:{_MONTHS}|per\b|%|[-–/]\d)")


@dataclass
class _Footnote:
    mark: str
    text: str
    mentions: list[Mention] = field(default_factory=list)


def _footnotes(clauses: Sequence[Clause], rules: Rules) -> dict[str, _Footnote]:
    """The document's footnotes by number, each with the documents it names ("Ibid." names
    those of the footnote before it)."""
    notes: dict[str, _Footnote] = {}
    previous: list[Mention] = []
    for clause in clauses:
        if clause.kind != ClauseKind.FOOTNOTE:
            continue
        number = _FOOTNOTE_NUMBER.match(clause.text)
        if number is None:
            continue
        text = clause.text[number.end() :].strip()
        mentions = find_mentions(text, rules)
        if not mentions and _IBID.match(text):
            mentions = previous
        notes[number.group("mark")] = _Footnote(number.group("mark"), text, mentions)
        previous = mentions or previous
    return notes


def footnote_marks(clauses: Sequence[Clause], numbers: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    """Where each footnote's mark stands: (offset in the clause text, number) by clause
    anchor. A reader that took a mark out of the text recorded where (`Clause.footnote_refs`);
    one that left it in (pdftotext, Markdown) is read here: footnotes are numbered in the
    order of their marks, so each missing number is looked for, as a mark is printed (glued to
    a word or its punctuation, or alone after punctuation), between the marks found before and
    after it."""
    located: dict[str, tuple[int, int]] = {}  # number -> (clause index, offset)
    for index, clause in enumerate(clauses):
        for ref in clause.footnote_refs:
            located.setdefault(ref.mark, (index, ref.at - clause.char_start))
    order = list(numbers)
    for position, number in enumerate(order):
        if number in located:
            continue
        before = max((located[n] for n in order[:position] if n in located), default=(0, 0))
        after = min((located[n] for n in order[position + 1 :] if n in located), default=(len(clauses), 0))
        found = _mark_between(clauses, number, before, after)
        if found is not None:
            located[number] = found
    marks: dict[str, list[tuple[int, str]]] = {}
    for number, (index, offset) in located.items():
        marks.setdefault(clauses[index].anchor, []).append((offset, number))
    return {anchor: sorted(found) for anchor, found in marks.items()}


def _mark_between(
    clauses: Sequence[Clause], number: str, before: tuple[int, int], after: tuple[int, int]
) -> tuple[int, int] | None:
    pattern = re.compile(rf"(?:(?<=[^\W\d_])|(?<=[,.;:)”’\]])\s?|(?<=[a-z])\s){re.escape(number)}(?![\d\w])")
    for index in range(before[0], min(after[0] + 1, len(clauses))):
        text = clauses[index].text
        start = before[1] if index == before[0] else 0
        end = after[1] if index == after[0] else len(text)
        for match in pattern.finditer(text, start, end):
            ahead = text[match.end() : match.end() + 12]
            behind = text[max(0, match.start() - 14) : match.start()]
            if _NOT_A_MARK_BEFORE.search(behind) or _NOT_A_MARK_AFTER.match(ahead):
                continue
            return index, match.end() - len(number)
    return None


def _titled_in_footnote(
    title: Mention, mentions: list[Mention], marks: list[tuple[int, str]], notes: dict[str, _Footnote]
) -> bool:
    """Whether the first thing after a quoted title is a footnote mark (soon after it) whose
    footnote gives the titled document's symbol: then the symbol is the reference."""
    following = [(m.start, None) for m in mentions if m.start >= title.end] + [
        (at, number) for at, number in marks if at >= title.end
    ]
    if not following:
        return False
    at, number = min(following, key=lambda item: item[0])
    note = notes.get(number) if number is not None else None
    return note is not None and bool(note.mentions) and at - title.end <= _MARK_AFTER_TITLE


# ----- a document -----


def extract_references(
    clauses: Sequence[Clause], own_symbol: str, rules: Rules | None = None
) -> list[DocumentReference]:
    """Every reference the document's clauses make to other documents, in document order.
    `own_symbol`: the document's symbol (a text naming itself is no reference)."""
    rules = rules or load_rules()
    notes = _footnotes(clauses, rules)
    citing = [c for c in clauses if c.kind not in _NOT_CITING]
    marks = footnote_marks(citing, list(notes))
    named_before: dict[str, NamedDocument] = {}
    own = canonical_symbol(own_symbol)
    references: list[DocumentReference] = []
    for clause in citing:
        lead_in = (
            clause.context.rsplit("\n", 1)[-1] if clause.kind in (ClauseKind.SUBPARAGRAPH, ClauseKind.ITEM) else ""
        )
        found = _clause_references(clause, lead_in, marks.get(clause.anchor, []), notes, named_before, rules)
        references += [r for r in found if r.target != own]
    return references


def _clause_references(
    clause: Clause,
    lead_in: str,
    marks: list[tuple[int, str]],
    notes: dict[str, _Footnote],
    named_before: dict[str, NamedDocument],
    rules: Rules,
) -> list[DocumentReference]:
    text = clause.text
    cues = _cues(text, opening_verb(lead_in, rules) if lead_in else None, rules)
    mentions = find_mentions(text, rules, named_before)
    candidates: list[tuple[int, DocumentReference]] = []
    for mention in mentions:
        if mention.kind == "title" and _titled_in_footnote(mention, mentions, marks, notes):
            continue
        reference = DocumentReference(
            clause=clause.anchor,
            at=clause.char_start + mention.start,
            target=mention.target,
            name=mention.name,
            verb=governing_verb(text, mention.group, cues),
            paragraph=mention.paragraph,
            as_written=" ".join(text[mention.group : mention.end].split()),
        )
        candidates.append((mention.start, reference))
    for at, number in marks:
        note = notes.get(number)
        if note is None:
            continue
        named_here = [m.named for m in mentions if m.named is not None and m.start < at]
        words = " ".join(text[:at].split()[-_WORDS_AT_MARK:])
        for mention in note.mentions:
            if any(mention.target in d.locators or mention.target == d.target for d in named_here):
                continue  # says where a document named in the clause is printed
            candidates.append(
                (
                    at,
                    DocumentReference(
                        clause=clause.anchor,
                        at=clause.char_start + at,
                        target=mention.target,
                        name=mention.name,
                        verb=governing_verb(text, at, cues),
                        paragraph=mention.paragraph,
                        as_written=f"{words} (footnote {number}: {note.text})",
                        footnote=number,
                    ),
                )
            )
    seen: set[tuple[str, str | None]] = set()
    references = []
    for _, reference in sorted(candidates, key=lambda item: item[0]):
        key = (reference.target, reference.paragraph)
        if key not in seen:
            seen.add(key)
            references.append(reference)
    return references
