"""Words of a paragraph, how alike two paragraphs are, and what changed between them word by
word. The similarity and the edit script come from rapidfuzz's Indel distance (the longest
common subsequence, in C++) over word tokens: see docs/decisions/compare.md for why.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from pydantic import BaseModel
from rapidfuzz.distance import Indel, LCSseq

# A word (with inner hyphens and apostrophes), one Chinese character (Chinese has no spaces
# between words) or one punctuation mark, with the spaces before it: the spaces stay with the
# token so that the changes put together give the text back.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_WORD = f"[^\\W{_HAN}]+"
_TOKEN = re.compile(rf"\s*(?:[{_HAN}]|{_WORD}(?:[-\u2010\u2011'\u2019]{_WORD})*|\S)")
# Typographic variants that are one character to a reader (the PDF text of a draft and of
# the adopted resolution may differ in these alone).
_SAME_CHARACTER = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u00ad": "", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}
)
# Between two edits, an equal run this short is a coincidence of rewriting ("the", "of and"),
# not a part kept: it is shown inside the edit, as a reader marks a rewritten passage.
_INCIDENTAL_EQUAL = 2


class Op(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


class Change(BaseModel):
    """A run of text: kept (`equal`), only in the second text (`insert`) or only in the first
    (`delete`). The runs of a pair, in order, spell out both texts: equal + delete runs give
    the first, equal + insert runs the second."""

    op: Op
    text: str


# Nouns a real number follows ("paragraph 3", "Goal 4"): never a footnote mark there.
_NUMBERED = frozenset(
    "paragraph paragraphs para paras resolution resolutions decision decisions article articles section sections "
    "chapter chapters annex annexes goal goals target targets rule rules principle principles recommendation "
    "recommendations action actions item items part parts volume page pages no".split()
)
_LISTED = frozenset({"and", "or", "to", "through", ","})
_GLUED_MARK = re.compile(r"^(\s*)(\d{1,3})([^\W\d_]{2,}.*)$")


class Words:
    """A text cut into tokens, each with the spaces before it, and the keys compared.

    `marks` are the footnote numbers of the documents: a footnote mark the text kept ("the
    report of the Secretary-General 3 and", "all previous resolutions 3on") is shown but not
    compared, so that a mark renumbered or placed elsewhere is no change."""

    def __init__(self, text: str, marks: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.tokens: list[str] = []
        self.keys: list[str] = []
        tokens = _TOKEN.findall(text)
        for index, token in enumerate(tokens):
            key = unicodedata.normalize("NFKC", token.strip()).translate(_SAME_CHARACTER)
            glued = _GLUED_MARK.match(token) if marks else None
            if glued and glued.group(2) in marks:
                key = glued.group(3)
            elif self.tokens and (key == "*" or key in marks and self._is_mark(tokens[index + 1 : index + 2])):
                # a footnote mark, or a star of a "* * *" separator the text kept
                self.tokens[-1] += token
                continue
            self.tokens.append(token)
            self.keys.append(key)

    def _is_mark(self, following: list[str]) -> bool:
        # PyMuPDF leaves a raised mark with a wide gap after it ("resolutions 3  on").
        if following and following[0].startswith("  "):
            return True
        before = self.keys[-1].casefold()
        if before in _NUMBERED or not (before[-1:].isalpha() or before in {",", ".", ";", ")", "”", '"'}):
            return False
        return not (before in _LISTED and len(self.keys) > 1 and self.keys[-2].isdigit())

    def __len__(self) -> int:
        return len(self.keys)

    def span(self, start: int, end: int) -> str:
        return "".join(self.tokens[start:end])


def same_words(a: Words, b: Words) -> bool:
    return a.keys == b.keys


def common(a: Words, b: Words) -> int:
    """How many tokens the two have in common, in order (the longest common subsequence)."""
    return int(LCSseq.similarity(a.keys, b.keys))


def similarity(a: Words, b: Words) -> float:
    """1 - the share of tokens inserted or deleted (Indel): 1.0 for the same words."""
    return float(Indel.normalized_similarity(a.keys, b.keys))


def changes(a: Words, b: Words) -> list[Change]:
    """The word-level edit script from `a` to `b`: kept runs, and between them each edit as
    one deletion followed by one insertion."""
    # Blocks: a kept text (str), or an edit (deleted, inserted).
    blocks: list[str | tuple[str, str]] = []
    for op in Indel.opcodes(a.keys, b.keys):
        if op.tag == "equal":
            # b's spelling of the kept words: a variant dash or quote is not shown as an edit.
            blocks.append(b.span(op.dest_start, op.dest_end))
            continue
        edit = (a.span(op.src_start, op.src_end), b.span(op.dest_start, op.dest_end))
        if blocks and isinstance(blocks[-1], tuple):
            edit = (blocks[-1][0] + edit[0], blocks[-1][1] + edit[1])
            blocks.pop()
        kept, previous = (blocks[-1], blocks[-2]) if len(blocks) >= 2 else (None, None)
        if isinstance(kept, str) and _incidental(kept) and isinstance(previous, tuple):
            del blocks[-2:]
            edit = (previous[0] + kept + edit[0], previous[1] + kept + edit[1])
        blocks.append(edit)
    runs: list[Change] = []
    for block in blocks:
        if isinstance(block, str):
            runs.append(Change(op=Op.EQUAL, text=block))
            continue
        runs += [Change(op=op, text=text) for op, text in zip((Op.DELETE, Op.INSERT), block, strict=True) if text]
    return runs


def _incidental(kept: str) -> bool:
    return len(_TOKEN.findall(kept)) <= _INCIDENTAL_EQUAL
