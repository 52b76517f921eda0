""" "Changes since the previous version" for a briefing note: for each document the note
quotes that the index knows an earlier version of (last session's resolution of the same
title, or the draft it was adopted from), what the comparison of the two found."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from ...index.api import HybridRetriever

if TYPE_CHECKING:
    from .briefing import BriefNote
from ..compare.comparison import ClausePair, PairStatus, compare_documents
from ..documents.lineage import VersionRole, document_versions

# The earlier versions a note compares with, in order of preference: last year's text first.
EARLIER_ROLES = (VersionRole.PREVIOUS, VersionRole.DRAFT)
CLAUSES_SHOWN = 12  # per document; the summary counts every pair
_SHOWN_STATUSES = (
    PairStatus.CHANGED,
    PairStatus.ADDED,
    PairStatus.DELETED,
    PairStatus.MOVED,
    PairStatus.SPLIT,
    PairStatus.MERGED,
)


class ChangedClause(BaseModel):
    status: str
    label: str = Field(description="Citation of the clause in the later text (in the earlier one if deleted).")
    text: str = Field(description="The clause in the later text (the earlier text if deleted).")
    earlier_text: str | None = Field(default=None, description="The clause in the earlier text, when changed.")


class DocumentChanges(BaseModel):
    doc_id: str
    symbol: str
    earlier_symbol: str
    relation: VersionRole = Field(description="What the earlier text is: 'previous' (last session's) or 'draft'.")
    counts: dict[str, int] = Field(description="Pairs by status: unchanged, changed, added, deleted, moved, ...")
    clauses: list[ChangedClause]
    more: int = Field(default=0, description="Changed clauses not listed.")


def _clause(pair: ClausePair) -> ChangedClause:
    deleted = pair.status == PairStatus.DELETED
    labels = pair.a_labels if deleted else pair.b_labels
    return ChangedClause(
        status=str(pair.status),
        label="; ".join(labels),
        text=(pair.a_text if deleted else pair.b_text) or "",
        earlier_text=pair.a_text if pair.status == PairStatus.CHANGED else None,
    )


def changes_since_earlier(retriever: HybridRetriever, doc_ids: Iterable[str]) -> list[DocumentChanges]:
    """The changes of each document against its earlier version, for the documents that have one."""
    out: list[DocumentChanges] = []
    for doc_id in doc_ids:
        versions = {v.role: v for v in document_versions(retriever, doc_id)}
        role = next((r for r in EARLIER_ROLES if r in versions), None)
        if role is None:
            continue
        earlier = versions[role].document
        comparison = compare_documents(retriever, earlier.doc_id or earlier.symbol, doc_id)
        changed = [pair for pair in comparison.pairs if pair.status in _SHOWN_STATUSES]
        counts = comparison.summary.model_dump(exclude={"by_part", "renumbered"})
        out.append(
            DocumentChanges(
                doc_id=doc_id,
                symbol=comparison.b.symbol,
                earlier_symbol=comparison.a.symbol,
                relation=role,
                counts={status: n for status, n in counts.items() if n},
                clauses=[_clause(pair) for pair in changed[:CLAUSES_SHOWN]],
                more=max(0, len(changed) - CLAUSES_SHOWN),
            )
        )
    return out


def with_changes(note: BriefNote, retriever: HybridRetriever) -> BriefNote:
    """The note with the changes of every document it quotes against its earlier version."""
    quoted = dict.fromkeys(doc.doc_id for section in note.sections for doc in section.documents)
    return note.model_copy(update={"changes": changes_since_earlier(retriever, quoted)})
