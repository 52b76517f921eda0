"""Stage 6: clauses the question names explicitly ("GDC para 33(b)") come first, in the order
it names them; each before its subclauses. Those (an article's paragraphs, a paragraph's
subparagraphs) follow in document order when the question names no more than the clause,
and in the order the search ranks them when it asks something of it: "article 57: when must
the first Conference be convened?" asks about one of the article's paragraphs."""

from __future__ import annotations

import numpy as np

from ..locators import clause_anchors
from ..query import AnalysedQuery
from .rows import IndexRows, is_allowed


def clause_rows(rows: IndexRows, doc_id: str, anchor: str) -> list[int]:
    """Rows of the clause `anchor` names (`locators.clause_anchors`: itself or the paragraph
    that keeps it, then its subclauses), in that order. Looked up among the document's own
    rows, not by a scan of every row's anchor."""
    doc_rows = np.sort(rows.columns.doc_rows(doc_id)).tolist()
    by_anchor: dict[str, list[int]] = {}
    for row, row_anchor in zip(doc_rows, rows.columns.anchors[doc_rows].tolist(), strict=True):
        by_anchor.setdefault(row_anchor, []).append(row)
    return [row for found in clause_anchors(anchor, list(by_anchor)) for row in by_anchor[found]]


def pin_named_clauses(
    rows: IndexRows, analysed: AnalysedQuery, fused: dict[int, float], allowed: np.ndarray | None
) -> int:
    """Put the allowed rows of the clauses the query names above every other row, in place;
    how many there are."""
    pinned: dict[int, None] = {}
    for ref in analysed.clause_references:
        found = [row for row in clause_rows(rows, ref.doc_id, ref.anchor) if is_allowed(row, allowed)]
        own = [row for row in found if rows.columns.anchors[row] == ref.anchor]
        below = [row for row in found if row not in own]
        if not analysed.quotes_clauses:
            below.sort(key=lambda row: -fused.get(row, 0.0))
        pinned.update(dict.fromkeys([*own, *below]))
    top = max(fused.values(), default=0.0)
    for i, row in enumerate(pinned):
        fused[row] = top + 1.0 / (1 + i)
    return len(pinned)
