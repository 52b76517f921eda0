"""Calibrate the relevance cut of briefing notes on a question set with gold snippets.

    python -m wsis_rag.eval.brief_calibration [--questions ../shared/eval/dev.jsonl]

Searches every question once (SEARCH_DEPTH hits), then scores every cut of a small grid
by the precision and recall of the clauses it keeps (a kept passage is relevant when it
contains a gold snippet, whitespace-collapsed, as in the eval README), and prints the
grid's best cuts and the figures of the cut briefing.py uses.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Annotated

import typer

from ..core.settings import get_settings
from ..index.api import Hit
from ..products.briefs.briefing import (
    AGREEING_RANK,
    ALWAYS_KEEP,
    MIN_AGREEING,
    MIN_SCORE_RATIO,
    SEARCH_DEPTH,
    CutConfig,
    key_hits,
)


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _score(runs: list[tuple[list[Hit], list[str]]], cut: CutConfig) -> tuple[float, float, float]:
    """Macro precision, recall and F1 of the clauses kept by `cut`."""
    precisions, recalls = [], []
    for hits, snippets in runs:
        kept = [_ws(h.passage.text) for h in key_hits(hits, cut)]
        relevant = sum(1 for text in kept if any(s in text for s in snippets))
        found = sum(1 for s in snippets if any(s in text for text in kept))
        precisions.append(relevant / len(kept) if kept else 0.0)
        recalls.append(found / len(snippets))
    p, r = sum(precisions) / len(runs), sum(recalls) / len(runs)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(
    questions: Annotated[
        Path | None, typer.Option(help="JSONL question set with relevant[].snippet. Default: the dev_set setting.")
    ] = None,
    top: Annotated[int, typer.Option(help="How many of the best cuts to print.")] = 8,
) -> None:
    from ..index.api import load_retriever

    settings = get_settings()
    questions = questions or settings.dev_set
    retriever = load_retriever(settings)
    rows = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    runs = [
        (retriever.search(row["query"], k=SEARCH_DEPTH), [_ws(r["snippet"]) for r in row["relevant"]]) for row in rows
    ]
    grid = [
        CutConfig(always_keep=a, agreeing_rank=r, min_agreeing=m, min_score_ratio=s)
        for a, r, m, s in itertools.product((0, 1, 2, 3), (3, 5, 10), (2, 3), (0.6, 0.7, 0.8, 0.9))
    ]
    scored = sorted(((_score(runs, c), c) for c in grid), key=lambda item: item[0][2], reverse=True)
    print(f"{len(rows)} questions from {questions}")
    print("precision recall    F1  cut")
    for (p, r, f), cut in scored[:top]:
        print(f"{p:9.3f} {r:6.3f} {f:5.3f}  {cut}")
    p, r, f = _score(runs, CutConfig())
    print(
        f"in use: precision {p:.3f} recall {r:.3f} F1 {f:.3f} "
        f"(always_keep={ALWAYS_KEEP}, agreeing_rank={AGREEING_RANK}, min_agreeing={MIN_AGREEING}, "
        f"min_score_ratio={MIN_SCORE_RATIO})"
    )


if __name__ == "__main__":
    typer.run(main)
