"""Structure of UN resolutions, decisions and outcome documents: title block, preambular
paragraphs, numbered operative paragraphs, lettered subparagraphs, roman items, headings,
footnotes, and the parts of documents whose numbering restarts.

Preambular paragraphs are told by the participle that opens them ("Recalling",
"Reaffirming also", "Noting with concern", ...): the closed list of UN usage is data,
in `un_preamble.toml` beside this module.

Parts: an annex after the resolution's own text ("A/RES/79/1, annex I, para. 7"), the
articles of a treaty annex ("annex, art. 13, para. 2") and the sections of an omnibus
resolution ("section VI, para. 4 (a)") each number their paragraphs from 1, so the part
is in the anchor ("annex-i-para-7", "annex-art-13-para-2") and in the locator; the annex
of an annexed text (a convention's interpretative notes) is "annex, annex". Articles
and roman sections are parts only where the numbering restarts in them: the chapters of
the Pact for the Future number on across them and stay headings.

Numbers are kept exactly as printed: a gap, a duplicate, a "bis" or a range such as
"16-26" becomes a warning, never a silent renumbering. A list numbered "1." ... inside a
paragraph whose lead-in ends with a colon (the five objectives in para. 7 of the Global
Digital Compact) stays part of that paragraph.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..core.vocabulary import ClauseKind
from .clauses import Clause, ClauseCollector, HeadingStack, StructureResult, collect_footnotes, slug
from .source import Block, SourceDocument

PARAGRAPH_NUMBER = re.compile(r"^(?P<num>\d+)(?:\s?(?P<suffix>bis|ter|quater))?(?:\s?[-–]\s?(?P<to>\d+))?\.\s+")
SUBPARAGRAPH_MARK = re.compile(r"^\((?P<tok>[ivxlc]+|[a-z]{1,2})\)\s+")
OPENING = re.compile(
    r"^(The (General Assembly|Economic and Social Council|Security Council|Human Rights Council|States Parties|"
    r"Parties|High Contracting Parties|Conference of the Parties)\b|We, (?:the|Heads|Ministers)\b)"
)
# The sentence that ends a preamble and introduces what follows ("Declare the following:").
ENACTING = re.compile(
    r"^(Adopts?|Declares?|Proclaims?|Have agreed|Has agreed|Agrees?|Decides to adopt)\b[^.;]{0,200}:$"
)
BARE_OPENING_MAX = 40  # "The General Assembly," alone stays in the title block
CLOSING = re.compile(r"^\d+(st|nd|rd|th) (\(resumed\) )?plenary meeting\b")
ANNEX_HEADING = re.compile(r"^Annex(?:\s+(?P<num>[IVXLC]+|\d+)\b|(?=\s|$))")
_HEADING_MAX = 160
_SECTION_TITLE_MAX = 320
_ANNEX_TITLE_LINES = 4  # an annex's title takes a few lines at most
_ARTICLE = re.compile(r"^Article (?P<num>\d+)\b")
_RULE = re.compile(r"^Rule (?P<num>\d+)\b")
_ANNEX_TITLE_LEVEL = 1.5
_LABEL_ONLY = re.compile(r"^(?:(?:Article|Rule|Part|Chapter|Section|Objective)\s+)?(?:[IVXLC]+|\d+|[A-Z])\.?$")
_SECTION = re.compile(r"^(?:Section\s+)?(?P<num>[IVXL]+)\.?(?:\s|$)")
_SECTION_HEADING = re.compile(r"^(Objective \d+|Action \d+\.?|[A-Z]\.|[IVXL]+\.?|Part|Chapter|Section)\s")
NAMED_STEP = re.compile(r"^(?:Objective|Action) \d+\.\s")
_SUBSECTION = re.compile(r"^\d+\.\d+\.?\s")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_PREAMBLE_WORDS = Path(__file__).with_name("un_preamble.toml")


@lru_cache
def _preamble_words() -> tuple[frozenset[str], frozenset[str]]:
    data = tomllib.loads(_PREAMBLE_WORDS.read_text(encoding="utf-8"))
    return frozenset(data["adverbs"]), frozenset(data["openings"])


def opens_preamble(text: str) -> bool:
    """Does `text` open like a preambular paragraph ("Recalling", "Deeply concerned", ...)?"""
    adverbs, openings = _preamble_words()
    words = text.split(maxsplit=2)
    if not words:
        return False
    first = words[0].rstrip(",")
    if first in openings:
        return True
    return first in adverbs and len(words) > 1 and words[1].rstrip(",").capitalize() in openings


def looks_like_heading(block: Block) -> bool:
    """A short unnumbered line without closing punctuation ("Introduction", "A. Principles")."""
    text = block.text
    if PARAGRAPH_NUMBER.match(text) or SUBPARAGRAPH_MARK.match(text) or CLOSING.match(text):
        return False
    if is_heading_label(text):
        return True
    # A lettered or roman section title ("B. Scale up climate action and support, ...")
    # may run to two lines of print.
    longest = _SECTION_TITLE_MAX if _SECTION_HEADING.match(text) else _HEADING_MAX
    if NAMED_STEP.match(text):  # "Action 6. We will invest in people ...": a heading, full stop and all
        return len(text) <= longest
    return len(text) <= longest and not text.endswith((".", ",", ";", ":")) and (text[0].isupper() or text[0].isdigit())


def is_heading_label(text: str) -> bool:
    """A heading that is only a label: "Article 13.", "Chapter I", "II." (a bare "2." is a
    paragraph number)."""
    return bool(_LABEL_ONLY.match(text)) and not text[:1].isdigit()


def heading_level(text: str) -> int:
    if ANNEX_HEADING.match(text):
        return 1
    if _SUBSECTION.match(text):
        return 4  # "1.1 Bridging digital divides" sits under "1. Information and ..."
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


@dataclass(frozen=True)
class _Part:
    """Where numbering restarts: "" (the document itself), "annex-i" / "annex I",
    "annex-art-13" / "annex, art. 13", "section-vi" / "section VI"."""

    anchor: str = ""
    locator: str = ""
    article: bool = False  # an article's unnumbered text is cited as the article itself

    def anchored(self, anchor: str) -> str:
        return f"{self.anchor}-{anchor}" if self.anchor else anchor

    def located(self, locator: str) -> str:
        return f"{self.locator}, {locator}" if self.locator else locator

    def within(self, anchor: str, locator: str, *, article: bool = False) -> _Part:
        return _Part(self.anchored(anchor), self.located(locator), article)


@dataclass
class _Position:
    """Where the operative part is: the part, the paragraph, subparagraph and item being read."""

    part: _Part = field(default_factory=_Part)
    annex: _Part = field(default_factory=_Part)  # the annex (or the document) holding the part
    paragraph: Clause | None = None
    number: int = 0
    subparagraph: Clause | None = None
    expected_letter: str = "a"
    item_value: int = 0
    list_parent: Clause | None = None  # a paragraph holding an embedded numbered list
    list_next: int = 0
    texts: int = 0  # unnumbered text clauses of the part so far
    interrupted: Clause | None = None  # a paragraph whose lettered list a heading has interrupted
    articles_are_parts: bool = False
    sections_are_parts: bool = False
    label_level: float | None = None  # the level of a heading that is only a label ("Article 5", "II"), just read
    bare_heading: tuple[Block, int, float] | None = None  # the last heading, the clause count then, its level

    def enter(self, part: _Part) -> None:
        self.part, self.paragraph, self.number = part, None, 0
        self.subparagraph = self.list_parent = self.interrupted = None
        self.expected_letter, self.item_value = "a", 0
        self.texts = 0


def parse_un_resolution(doc: SourceDocument) -> StructureResult:
    collector = ClauseCollector(doc)
    body = doc.body
    headings = HeadingStack()
    index = _title_and_preamble(collector, body, headings)
    position = _Position()
    _plan_region(body, index, position)
    while index < len(body):
        block = body[index]
        if _is_annex_heading(block) and collector.clauses:
            index = _enter_annex(collector, body, index, position, headings)
            continue
        _read_operative_block(collector, block, position, headings)
        index += 1
    _keep_bare_heading(collector, position, headings, 0)
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
    _keep_bare_heading(collector, position, headings, 0)
    collect_footnotes(collector)
    return collector.result()


def _is_heading(block: Block) -> bool:
    return block.heading or looks_like_heading(block)


def _is_annex_heading(block: Block) -> bool:
    return bool(ANNEX_HEADING.match(block.text)) and _is_heading(block)


def _restarts(blocks: list[Block], pattern: re.Pattern[str]) -> bool:
    """Do the headings matching `pattern` among `blocks` number their paragraphs from 1
    each (articles of a treaty, sections of an omnibus resolution)? True when a heading
    after the first one with paragraphs is followed by a paragraph 1."""
    seen_paragraphs = False
    after_heading = False
    for block in blocks:
        if pattern.match(block.text) and _is_heading(block):
            after_heading = True
            continue
        number = PARAGRAPH_NUMBER.match(block.text)
        if number and after_heading:
            if number.group("num") == "1" and seen_paragraphs:
                return True
            seen_paragraphs, after_heading = True, False
    return False


def _plan_region(body: list[Block], start: int, position: _Position) -> None:
    """Decide for the blocks from `start` to the next annex whether articles and roman
    sections are parts there."""
    end = next((i for i in range(start + 1, len(body)) if _is_annex_heading(body[i])), len(body))
    region = body[start:end]
    position.articles_are_parts = _restarts(region, _ARTICLE)
    position.sections_are_parts = not position.articles_are_parts and _restarts(region, _SECTION)


def _enter_annex(
    collector: ClauseCollector, body: list[Block], index: int, position: _Position, headings: HeadingStack
) -> int:
    """An annex heading: a new part, its own headings and preamble; returns the next block."""
    text = body[index].text
    number = ANNEX_HEADING.match(text).group("num")  # type: ignore[union-attr]
    annex = _Part("annex" + (f"-{slug(number)}" if number else ""), "annex" + (f" {number}" if number else ""))
    used = {c.anchor.split("-para-")[0] for c in collector.clauses}
    if any(anchor == annex.anchor or anchor.startswith(annex.anchor + "-") for anchor in used):
        # A document numbers its own annexes apart ("Annex I", "Annex II"), so an annex
        # heading it has had already opens the annex of the annexed text: the
        # interpretative notes annexed to a convention that is itself the resolution's
        # annex are "annex, annex, para. 1".
        annex = position.annex.within(annex.anchor, annex.locator)
    headings.push(heading_level(text), text)
    position.enter(annex)
    position.annex = annex
    _plan_region(body, index, position)
    title_end = _annex_title_end(body, index + 1)
    if title_end > index + 1:  # its title, on one line or several, under the annex and above its sections
        headings.push(_ANNEX_TITLE_LEVEL, " ".join(block.text for block in body[index + 1 : title_end]))
    index = title_end
    if index < len(body) and (OPENING.match(body[index].text) or opens_preamble(body[index].text)):
        index = _read_preamble(collector, body, index, annex, headings)
    return index


def _annex_title_end(body: list[Block], index: int) -> int:
    """Where the title lines of an annex that start at `index` end. They are its headings,
    and also the few unnumbered lines before its first paragraph, article, preamble or
    opening formula that are no sentence: a title too long for a heading or carrying a
    semicolon ("United Nations Convention against Cybercrime;" / "Strengthening ...")."""
    for end in range(index, min(index + _ANNEX_TITLE_LINES + 1, len(body))):
        text = body[end].text
        if (
            PARAGRAPH_NUMBER.match(text)
            or SUBPARAGRAPH_MARK.match(text)
            or _ARTICLE.match(text)
            or OPENING.match(text)
            or opens_preamble(text)
        ):
            return end
        if text.endswith((".", ":")) or _is_annex_heading(body[end]):
            break
    end = index
    while end < len(body) and _is_heading(body[end]) and not _ARTICLE.match(body[end].text):
        end += 1
    return end


def _title_and_preamble(collector: ClauseCollector, body: list[Block], headings: HeadingStack) -> int:
    """Add the title clause and the preambular paragraphs; return the index of the first
    block of the operative part."""
    first_paragraph = next((i for i, b in enumerate(body) if PARAGRAPH_NUMBER.match(b.text)), len(body))
    openings = [i for i in range(first_paragraph) if OPENING.match(body[i].text)]
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
    opening = body[title_end - 1] if openings and len(body[title_end - 1].text) > BARE_OPENING_MAX else None
    title_blocks = body[: title_end - 1] if opening else body[:title_end]
    if title_blocks:
        collector.add(ClauseKind.TITLE, "title", "title", title_blocks)
    start = title_end - 1 if opening else title_end
    return _read_preamble(collector, body, start, _Part(), headings)


def _read_preamble(
    collector: ClauseCollector, body: list[Block], index: int, part: _Part, headings: HeadingStack
) -> int:
    """The opening formula (when it says more than "The General Assembly,") and the
    preambular paragraphs from `index`, up to the first numbered paragraph, heading or
    enacting formula ("Declare the following:"); returns the next block's index."""
    if index < len(body) and OPENING.match(body[index].text) and len(body[index].text) > BARE_OPENING_MAX:
        # "We, the Ministers …, held in New York on …," says who speaks, when and where:
        # its own clause, outside the ordinals of the preambular paragraphs that follow.
        collector.add(ClauseKind.PREAMBLE, part.anchored("opening"), part.located("preamble (opening)"), [body[index]])
        index += 1
    last: Clause | None = None
    while index < len(body):
        block = body[index]
        text = block.text
        if PARAGRAPH_NUMBER.match(text) or (_is_heading(block) and not opens_preamble(text)):
            break
        if ENACTING.match(text):
            collector.add(
                ClauseKind.TEXT, part.anchored("enacting"), part.located("enacting formula"), [block], headings.path
            )
            return index + 1
        opened = opens_preamble(text)
        if last is not None and not opened and (text[:1].islower() or not last.text.rstrip().endswith((",", ";"))):
            collector.extend(last, [block])  # one preambular paragraph split by a page break
        elif not opened and _operative_verb(text):
            break  # "Decides ...": an unnumbered operative paragraph follows the preamble
        else:
            if not opened:
                collector.warn(f"preambular paragraph without a known opening participle: {text[:50]!r}")
            last = _add_preamble(collector, part, block, headings)
        index += 1
    return index


def _add_preamble(collector: ClauseCollector, part: _Part, block: Block, headings: HeadingStack) -> Clause:
    """The next preambular paragraph of `part`, numbered on from those it has."""
    prefix = part.anchored("preamble-")
    ordinal = 1 + sum(1 for c in collector.clauses if c.anchor.startswith(prefix))
    return collector.add(
        ClauseKind.PREAMBLE, f"{prefix}{ordinal}", part.located(f"preambular para. {ordinal}"), [block], headings.path
    )


def _operative_verb(text: str) -> bool:
    """Opens with a verb in the third person ("Decides", "Requests", "Takes note")?"""
    first = text.split(maxsplit=1)[0] if text.split() else ""
    return bool(re.fullmatch(r"[A-Z][a-z]+s", first)) and not opens_preamble(text)


def _structural_part(block: Block, position: _Position) -> _Part | None:
    """The part an article or section heading opens, where those restart the numbering; and
    the rule a rule of procedure opens, always: rules are cited by number ("rule 12")."""
    if not _is_heading(block):
        return None
    rule = _RULE.match(block.text)
    if rule:
        number = rule.group("num")
        return position.annex.within(f"rule-{number}", f"rule {number}", article=True)
    article = _ARTICLE.match(block.text)
    if article and position.articles_are_parts:
        number = article.group("num")
        return position.annex.within(f"art-{number}", f"art. {number}", article=True)
    section = _SECTION.match(block.text)
    if section and position.sections_are_parts and roman_value(section.group("num").lower()):
        number = section.group("num")
        return position.annex.within(f"section-{slug(number)}", f"section {number}")
    return None


def _read_operative_block(
    collector: ClauseCollector, block: Block, position: _Position, headings: HeadingStack, *, prose: bool = False
) -> None:
    """One block after the preamble. In `prose` (documents of unknown shape) an unnumbered
    paragraph is a text clause of its own; in a resolution it continues the paragraph above."""
    text = block.text
    part = position.part
    # A heading that is only a label ("Article 5", "II") has its title on the next line:
    # the title goes under it, not in its place.
    label_level, position.label_level = position.label_level, None
    if CLOSING.match(text):
        collector.add(
            ClauseKind.TEXT, part.anchored("closing"), part.located("closing formula"), [block], headings.path
        )
        return
    new_part = _structural_part(block, position)
    if new_part is not None:
        level: float = 4 if new_part.article else 2  # an article sits under its chapter and its title
        headings.push(level, text)
        position.enter(new_part)
        position.label_level = level if is_heading_label(text) else None
        return
    number = PARAGRAPH_NUMBER.match(text)
    if number and not block.heading:
        _read_paragraph(collector, block, number, position, headings)
        return
    if not prose and position.number == 0 and position.paragraph is None and opens_preamble(text):
        _add_preamble(collector, part, block, headings)  # a section's own preamble (omnibus budgets)
        return
    mark = SUBPARAGRAPH_MARK.match(text)
    if mark and position.paragraph is None and mark.group("tok") == position.expected_letter:
        # Headings may group the lettered subparagraphs of one paragraph ("27. To ensure
        # ...:" / "Transparency and accountability in fiscal systems" / "(a) ..."): the
        # next letter is still that paragraph's.
        position.paragraph = position.interrupted
    if mark and position.paragraph is not None:
        _read_subdivision(collector, block, mark.group("tok"), position, headings)
        return
    titled = label_level is not None and len(text) <= _SECTION_TITLE_MAX and not text.endswith((".", ";", ":"))
    if block.heading or titled or looks_like_heading(block):  # styled as a heading, or a label's title
        level = heading_level(text) if label_level is None else label_level + 1
        _keep_bare_heading(collector, position, headings, level)
        headings.push(level, text)
        position.bare_heading = (block, len(collector.clauses), level)
        position.label_level = level if is_heading_label(text) else None
        if position.paragraph is not None:
            position.interrupted = position.paragraph if _list_open(position) else None
        position.paragraph = position.subparagraph = position.list_parent = None
        return
    if collector.clauses and text[:1].islower() and not prose:
        collector.extend(collector.clauses[-1], [block])  # text running on after a page break or a list
        return
    if position.paragraph is not None and position.subparagraph is None and not prose:
        collector.extend(position.paragraph, [block])
        return
    if part.article and position.paragraph is None and position.number == 0:
        # An article without numbered paragraphs: its text is cited as the article.
        position.paragraph = collector.add(ClauseKind.PARAGRAPH, part.anchor, part.locator, [block], headings.path)
        return
    if ENACTING.match(text) and not prose:
        collector.add(
            ClauseKind.TEXT, part.anchored("enacting"), part.located("enacting formula"), [block], headings.path
        )
        return
    if not prose:
        collector.warn(f"unnumbered paragraph kept as text: {text[:50]!r}")
    clause = _add_text_clause(collector, position, block, headings.path)
    if not prose and text.endswith(":"):
        # an unnumbered lead-in ("... by:"): the lettered subparagraphs below are its own
        position.paragraph, position.subparagraph = clause, None
        position.expected_letter, position.item_value = "a", 0


def _keep_bare_heading(collector: ClauseCollector, position: _Position, headings: HeadingStack, level: float) -> None:
    """The last heading read, when a heading at `level` (0: the end of the document) is
    about to take its place with no clause under it, as a text clause of its own: a row of
    a table or a line of a programme of work looks like a heading, and would otherwise
    leave no word in any passage."""
    bare, position.bare_heading = position.bare_heading, None
    if bare is None:
        return
    block, clauses, bare_level = bare
    if len(collector.clauses) > clauses or level > bare_level:
        return
    _add_text_clause(collector, position, block, [text for depth, text in headings.entries if depth < bare_level])


def _add_text_clause(collector: ClauseCollector, position: _Position, block: Block, path: list[str]) -> Clause:
    """An unnumbered clause, cited as the part's next "text N"."""
    position.texts += 1
    part = position.part
    return collector.add(
        ClauseKind.TEXT, part.anchored(f"text-{position.texts}"), part.located(f"text {position.texts}"), [block], path
    )


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
    if (
        value == 1
        and parent is not None
        and parent.kind == ClauseKind.PARAGRAPH
        and parent.text.rstrip().endswith(":")
        and position.subparagraph is None
    ):
        collector.warn(
            f"numbering anomaly: '1.' after {parent.locator} (expected {position.number + 1}); "
            f"the numbered list is kept inside {parent.locator}"
        )
        collector.extend(parent, [block])
        position.list_parent, position.list_next = parent, 2
        return
    part = position.part
    label = f"{value}{' ' + suffix if suffix else ''}{'-' + upto if upto else ''}"
    where = part.located(f"para. {label}")
    if suffix:
        collector.warn(f"numbering anomaly: {where} kept verbatim")
    elif upto:
        collector.warn(f"numbering anomaly: range {where} kept verbatim")
    elif value != position.number + 1:
        kind = "gap" if value > position.number + 1 else "number goes backwards or repeats"
        collector.warn(
            f"numbering anomaly ({kind}): {where} after {part.located(f'para. {position.number}')}, kept verbatim"
        )
    position.paragraph = collector.add(
        ClauseKind.PARAGRAPH, part.anchored(f"para-{slug(label)}"), where, [block], headings.path
    )
    position.number = int(upto or value)
    position.subparagraph, position.expected_letter, position.item_value = None, "a", 0
    position.list_parent = None
    _read_run_on_mark(collector, block, number.end(), position, headings)


def _read_run_on_mark(
    collector: ClauseCollector, block: Block, offset: int, position: _Position, headings: HeadingStack
) -> None:
    """ "3. (a) Each State Party ..." and "(a) (i) The conversion ...": a subparagraph or
    item printed on the line of its parent. It is a clause of its own, within the parent's
    span, so that "para. 3 (a)" is citable."""
    rest = block.text[offset:]
    mark = SUBPARAGRAPH_MARK.match(rest)
    if mark is None:
        return
    refs = tuple((at, m) for at, m in block.footnote_refs if at >= block.start + offset)
    inner = Block(block.index, rest, block.start + offset, block.end, block.footnote, block.heading, refs)
    _read_subdivision(collector, inner, mark.group("tok"), position, headings)


def _read_subdivision(
    collector: ClauseCollector, block: Block, token: str, position: _Position, headings: HeadingStack
) -> None:
    """A "(x)" block: a lettered subparagraph, or a roman item ("(ii)") under one. "(i)" right
    after "(h)" is the letter i."""
    paragraph = position.paragraph
    assert paragraph is not None
    roman = roman_value(token)
    letter_expected = token == position.expected_letter
    if roman == position.item_value + 1 and not (letter_expected and position.item_value == 0):
        owner = position.subparagraph or paragraph
        position.item_value = roman
        collector.add(
            ClauseKind.ITEM,
            f"{owner.anchor}-{token}",
            f"{owner.locator} ({token})",
            [block],
            headings.path,
            context=_lead_in(position),
        )
        return
    if not letter_expected:
        collector.warn(
            f"numbering anomaly: ({token}) in {paragraph.locator} (expected ({position.expected_letter})), kept verbatim"
        )
    position.subparagraph = None  # so that the new subparagraph's lead-in is the paragraph alone
    position.subparagraph = collector.add(
        ClauseKind.SUBPARAGRAPH,
        f"{paragraph.anchor}-{token}",
        f"{paragraph.locator} ({token})",
        [block],
        headings.path,
        context=_lead_in(position),
    )
    position.expected_letter, position.item_value = _next_letter(token), 0
    _read_run_on_mark(collector, block, SUBPARAGRAPH_MARK.match(block.text).end(), position, headings)  # type: ignore[union-attr]


def _list_open(position: _Position) -> bool:
    """Is the paragraph being read in the middle of its lettered list, or a lead-in to one?"""
    paragraph = position.paragraph
    return paragraph is not None and (position.expected_letter != "a" or paragraph.text.rstrip().endswith(":"))


def _lead_in(position: _Position) -> str:
    parts = [position.paragraph.text] if position.paragraph is not None else []
    if position.subparagraph is not None:
        parts.append(position.subparagraph.text)
    return "\n".join(parts)
