"""Stage 7: one result per group of near-identical clauses (the same paragraph in other
years' resolutions and in drafts; groups made at build time by near_duplicates.py), shown
by its best-ranked member, the others listed in its `also_in`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..results import ALSO_IN_MAX, AlsoIn
from .rows import IndexRows


def collapse_groups(rows: IndexRows, ranked: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
    """The first k rows of `ranked` of distinct groups."""
    shown: set[int] = set()
    out: list[tuple[int, float]] = []
    for row, score in ranked:
        group = rows.group_of_row[row]
        if group in shown:
            continue
        shown.add(group)
        out.append((row, score))
        if len(out) == k:
            break
    return out


def also_in(
    rows: IndexRows, rows_of_group: dict[int, np.ndarray], row: int, allowed: np.ndarray | None
) -> dict[str, Any]:
    """`also_in` and `also_in_total` of a shown row: the other clauses of its group that the
    filters allow, latest first (then in index order)."""
    members = rows_of_group.get(rows.group_of_row[row])
    if members is None:
        return {}
    # In numpy: a footnote such as "Resolution 70/1." recurs in hundreds of documents, and
    # a row-by-row test of the filter costs milliseconds per result.
    others = members[members != row]  # latest first, then in row order (`group_rows`)
    if allowed is not None and len(others):  # the search returns before this when nothing is allowed
        at = np.minimum(np.searchsorted(allowed, others), len(allowed) - 1)
        others = others[allowed[at] == others]
    return {
        "also_in": [AlsoIn.from_passage(rows.passages[int(r)]) for r in others[:ALSO_IN_MAX]],
        "also_in_total": len(others),
    }
