"""Clauses cut into quotable sentences: what an answer may quote, and what the index embeds
one by one at build time so that answers never embed at request time.

Every sentence is a verbatim substring of its clause: an answer quotes, it never rewrites.
The index stores one vector per quotable sentence of every passage, in this order; a
change to what these functions return must bump SENTENCE_RECIPE, which makes a stored
sentence table stale (rebuilt by the next build, its vectors read from the embedding cache
where the text did not change).
"""

from __future__ import annotations

import re

from .vocabulary import ClauseKind, Passage
from .words import HAN

SENTENCE_RECIPE = 1

# A sentence ends at . ! ? ; followed by a space, at a Chinese 。！？； (no space), or at a
# line break (list items, the lines of a title block).
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])|\s*\n\s*")
# ...unless the full stop closes one of these abbreviations ("para. 3", "e.g. the").
_ABBREVIATIONS = frozenset(
    {"para", "paras", "no", "nos", "e.g", "i.e", "mr", "ms", "mrs", "dr", "art", "vol", "cf", "op"}
)
_HAN = re.compile(f"[{HAN}]")
# Title blocks and headings name things, footnotes cite sources: none states what a
# document decides.
_NOT_QUOTABLE = frozenset({ClauseKind.TITLE, ClauseKind.HEADING, ClauseKind.FOOTNOTE})
# Shorter fragments ("(a)", "121.") are not sentences worth quoting.
MIN_WORDS = 4


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each a verbatim substring (stripped)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        words = text[start:end].split()
        if words and text[end - 1] == "." and words[-1].rstrip(".").lower() in _ABBREVIATIONS:
            continue
        pieces.append(text[start:end])
        start = match.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def word_count(sentence: str) -> int:
    # A Han character counts as a word: Chinese sentences have no spaces.
    return len(sentence.split()) + len(_HAN.findall(sentence))


def quotable_sentences(passage: Passage) -> list[str]:
    """The sentences of a clause that an answer may quote, in clause order."""
    if passage.kind in _NOT_QUOTABLE:
        return []
    return [s for s in split_sentences(passage.text) if word_count(s) >= MIN_WORDS]
