"""The passages' filterable fields as numpy columns, and each document's rows.

A filter (`doc=`, `lang=`, `type=`, `body=`, `year=`) becomes a few vectorised comparisons
of small integer codes instead of a Python test per passage per query, and a document's
passages (for `doc=` and for `neighbours`) are looked up, not searched for: at 10^5
passages the per-passage loop cost tens of milliseconds a query.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ..core.vocabulary import Passage

NO_YEAR = -1


def _codes(values: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
    """Each value as the index of its distinct value (first-seen order), and that table."""
    table: dict[str, int] = {}
    codes = np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int32, count=len(values))
    return codes, table


class PassageColumns:
    def __init__(self, passages: Sequence[Passage]) -> None:
        self.size = len(passages)
        self.doc, self._doc_codes = _codes([p.doc_id for p in passages])
        self.lang, self._lang_codes = _codes([p.lang.lower() for p in passages])
        self.type, self._type_codes = _codes([str(p.doc_type) for p in passages])
        self.body, self._body_codes = _codes([p.body.casefold() for p in passages])
        self.year = np.fromiter(
            (NO_YEAR if p.year is None else p.year for p in passages), dtype=np.int32, count=len(passages)
        )
        self.order = np.fromiter((p.order for p in passages), dtype=np.int64, count=len(passages))
        # Rows of each document in document order: one stable sort, then split per document.
        by_doc = np.lexsort((self.order, self.doc))
        bounds = np.flatnonzero(np.diff(self.doc[by_doc])) + 1
        self._rows_of_doc = {int(self.doc[rows[0]]): rows for rows in np.split(by_doc, bounds) if len(rows)}

    def doc_rows(self, doc_id: str) -> np.ndarray:
        """The document's rows in document order (empty for a document it does not hold)."""
        code = self._doc_codes.get(doc_id)
        return self._rows_of_doc[code] if code is not None else np.zeros(0, dtype=np.int64)

    def neighbour_rows(self, row: int, n: int) -> np.ndarray:
        """Rows of the passages at most `n` positions either side of `row` in its document."""
        rows = self._rows_of_doc[int(self.doc[row])]
        orders = self.order[rows]
        centre = int(self.order[row])
        lo = np.searchsorted(orders, centre - n, side="left")
        hi = np.searchsorted(orders, centre + n, side="right")
        return rows[int(lo) : int(hi)]

    def allowed(
        self,
        doc_ids: Collection[str] = (),
        langs: Collection[str] = (),
        types: Collection[str] = (),
        bodies: Collection[str] = (),
        years: Collection[int] = (),
    ) -> np.ndarray:
        """Sorted rows that pass every non-empty restriction (values compared as the
        retriever normalises them: languages lower-cased, bodies case-folded)."""
        if doc_ids:
            rows = np.sort(np.concatenate([self.doc_rows(d) for d in doc_ids]))
        else:
            rows = np.arange(self.size)
        for column, table, wanted in (
            (self.lang, self._lang_codes, {v.lower() for v in langs}),
            (self.type, self._type_codes, {str(v) for v in types}),
            (self.body, self._body_codes, {v.casefold() for v in bodies}),
        ):
            if wanted:
                rows = rows[np.isin(column[rows], [table[v] for v in wanted if v in table])]
        if years:
            rows = rows[np.isin(self.year[rows], sorted(years))]
        return rows.astype(np.int64)
