"""Two versions of a text compared paragraph by paragraph: what is unchanged, changed (word
by word), added, deleted, moved, split or merged.

Position: a paragraph on the ordered alignment (see align.py) is in place even when its
number changed because paragraphs were inserted or removed above it; it is `unchanged` (or
`changed`) with `renumbered: true` and both labels. `moved` is reserved for a paragraph with
the same or nearly the same text that left its order relative to the aligned paragraphs
(its `changes` list any words that differ).
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, Field

from ...core.vocabulary import DocumentMeta, Passage
from ...index.api import HybridRetriever, UnknownDocumentError
from .align import Match, align
from .units import Paragraph, footnote_marks, paragraphs
from .words import Change, Words, changes, same_words

# Below this share of the two texts' words in aligned paragraphs, the documents are not
# versions of one text: the comparison warns instead of listing every paragraph as replaced.
UNRELATED = 0.3


class PairStatus(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ADDED = "added"
    DELETED = "deleted"
    MOVED = "moved"
    SPLIT = "split"
    MERGED = "merged"


class ClausePair(BaseModel):
    """Corresponding paragraphs of the two documents (or one paragraph on its own)."""

    part: str = Field(description="'preamble', 'operative', or an annex's: 'annex-i preamble', 'annex operative'.")
    status: PairStatus
    a: str | None = Field(description="Passage id of the paragraph in `a` (the first one of a merge); null if added.")
    b: str | None = Field(description="Passage id of the paragraph in `b` (the first one of a split); null if deleted.")
    a_ids: list[str] = Field(description="Every paragraph of `a` in the pair: several for a merge.")
    b_ids: list[str] = Field(description="Every paragraph of `b` in the pair: several for a split.")
    a_labels: list[str] = Field(description="Their citations, e.g. 'A/C.2/80/L.10, para. 7'.")
    b_labels: list[str]
    a_text: str | None = Field(description="The paragraph(s) of `a` as printed, without the operative number.")
    b_text: str | None
    similarity: float = Field(description="Share of the two texts' words in common (1.0 = same words).")
    renumbered: bool = Field(default=False, description="Same place in the order, other number or ordinal.")
    moved: bool = Field(default=False, description="Out of its order relative to the aligned paragraphs.")
    changes: list[Change] = Field(
        default_factory=list,
        description="Word-level runs (equal/delete/insert) from `a` to `b` when the words differ; empty otherwise.",
    )


class StatusCounts(BaseModel):
    unchanged: int = 0
    changed: int = 0
    added: int = 0
    deleted: int = 0
    moved: int = 0
    split: int = 0
    merged: int = 0
    renumbered: int = Field(default=0, description="Pairs in place whose number changed (counted within the others).")


class CompareSummary(StatusCounts):
    by_part: dict[str, StatusCounts] = Field(default_factory=dict)


class Comparison(BaseModel):
    a: DocumentMeta
    b: DocumentMeta
    similarity: float = Field(
        description="Share of both documents' words in aligned paragraphs, weighted by their similarity."
    )
    pairs: list[ClausePair]
    summary: CompareSummary
    warnings: list[str] = Field(default_factory=list)


def compare_documents(retriever: HybridRetriever, a: str, b: str) -> Comparison:
    """Compare two indexed documents, each named as any parameter names a document (id,
    symbol or alias). A name that names none is an UnknownDocumentError (404, as for
    `/search?doc=`) naming the parameter, `a` or `b`."""
    meta_a, meta_b = _resolved(retriever, "a", a), _resolved(retriever, "b", b)
    return compare_passages(
        meta_a, retriever.document_passages(meta_a.id), meta_b, retriever.document_passages(meta_b.id)
    )


def compare_passages(
    meta_a: DocumentMeta, passages_a: list[Passage], meta_b: DocumentMeta, passages_b: list[Passage]
) -> Comparison:
    """Compare two documents given their passages in document order."""
    units_a, units_b = paragraphs(passages_a), paragraphs(passages_b)
    parts = list(dict.fromkeys([u.part for u in units_b] + [u.part for u in units_a]))
    marks = footnote_marks(passages_a) | footnote_marks(passages_b)
    pairs: list[ClausePair] = []
    weighted, total = 0.0, 0
    for part in parts:
        side_a = [u for u in units_a if u.part == part]
        side_b = [u for u in units_b if u.part == part]
        words_a, words_b = [Words(u.text, marks) for u in side_a], [Words(u.text, marks) for u in side_b]
        matches = align(words_a, words_b)
        for match in _in_reading_order(matches):
            pairs.append(_pair(part, match, side_a, side_b, words_a, words_b, marks))
            if match.a and match.b:
                weighted += match.similarity * sum(len(words_a[i]) for i in match.a)
                weighted += match.similarity * sum(len(words_b[j]) for j in match.b)
        total += sum(map(len, words_a)) + sum(map(len, words_b))
    similarity = weighted / total if total else 0.0
    warnings: list[str] = []
    if similarity < UNRELATED:
        warnings.append(
            f"{meta_a.symbol} and {meta_b.symbol} have little text in common (similarity {similarity:.2f}, "
            f"under {UNRELATED}): they are not versions of one text, so no paragraph pairs are listed."
        )
        pairs = []
    return Comparison(
        a=meta_a, b=meta_b, similarity=round(similarity, 4), pairs=pairs, summary=_summary(pairs), warnings=warnings
    )


def _resolved(retriever: HybridRetriever, parameter: str, name: str) -> DocumentMeta:
    try:
        return retriever.catalog.resolve(name)
    except UnknownDocumentError as error:
        raise UnknownDocumentError(f"{parameter}: {error}") from error


def _in_reading_order(matches: list[Match]) -> list[Match]:
    """The matches in the order of `b`, each deletion after the paragraph that preceded it in `a`."""
    b_of = {i: min(m.b) for m in matches if m.b for i in m.a}

    def key(match: Match) -> tuple[float, int]:
        if match.b:
            return (min(match.b), 0)
        before = [b_of[i] for i in b_of if i < match.a[0]]
        return (max(before) + 0.5 if before else -0.5, match.a[0])

    return sorted(matches, key=key)


def _status(match: Match, same: bool) -> PairStatus:
    if not match.a:
        return PairStatus.ADDED
    if not match.b:
        return PairStatus.DELETED
    if len(match.b) > 1:
        return PairStatus.SPLIT
    if len(match.a) > 1:
        return PairStatus.MERGED
    if not match.in_order:
        return PairStatus.MOVED
    return PairStatus.UNCHANGED if same else PairStatus.CHANGED


def _pair(
    part: str,
    match: Match,
    side_a: list[Paragraph],
    side_b: list[Paragraph],
    words_a: list[Words],
    words_b: list[Words],
    marks: frozenset[str],
) -> ClausePair:
    units_a, units_b = [side_a[i] for i in match.a], [side_b[j] for j in match.b]
    text_a = "\n".join(u.text for u in units_a) if units_a else None
    text_b = "\n".join(u.text for u in units_b) if units_b else None
    one_to_one = len(units_a) == len(units_b) == 1
    words = (
        (words_a[match.a[0]], words_b[match.b[0]])
        if one_to_one
        else (Words(text_a or "", marks), Words(text_b or "", marks))
    )
    same = same_words(*words)
    edits = changes(*words) if units_a and units_b and not same else []
    return ClausePair(
        part=part,
        status=_status(match, same),
        a=units_a[0].id if units_a else None,
        b=units_b[0].id if units_b else None,
        a_ids=[u.id for u in units_a],
        b_ids=[u.id for u in units_b],
        a_labels=[u.head.label for u in units_a],
        b_labels=[u.head.label for u in units_b],
        a_text=text_a,
        b_text=text_b,
        similarity=round(1.0 if same and units_a and units_b else match.similarity, 4),
        renumbered=one_to_one and units_a[0].head.locator != units_b[0].head.locator,
        moved=not match.in_order,
        changes=edits,
    )


def _counts(pairs: list[ClausePair]) -> StatusCounts:
    by_status = Counter(p.status.value for p in pairs)
    return StatusCounts(**by_status, renumbered=sum(p.renumbered for p in pairs))


def _summary(pairs: list[ClausePair]) -> CompareSummary:
    parts = list(dict.fromkeys(p.part for p in pairs))
    by_part = {part: _counts([p for p in pairs if p.part == part]) for part in parts}
    return CompareSummary(**_counts(pairs).model_dump(), by_part=by_part)
