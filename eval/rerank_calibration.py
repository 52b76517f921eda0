"""Fits the search's rerank model (index/search/rerank.py) on the dev splits of the
question sets and writes it to index/data/rerank.toml.

    python -m wsis_rag.eval.rerank_calibration --index var/index-un \\
        --set collection=eval/sets/collection.jsonl --set heldout-wsis=eval/sets/heldout-wsis.jsonl \\
        --set known-item=eval/sets/known-item.jsonl --set dev=../shared/eval/dev.jsonl \\
        --whole collection --exclude a-res-79-1

Every dev question is searched with every stage but the rerank (`rerank_candidates`); each
clause of the page the stage orders is one example, labelled 1 when it holds a gold snippet.
The model is a logistic regression with each weight held to its feature's sign
(`RERANK_FEATURES`), fitted by `logistic_fit.fit_logistic`. The collection index is the one
to fit on: its pages hold clauses of every kind of document the features tell apart.
As in collection_eval, the sets written from the WSIS documents search the collection
without `--exclude`'s documents (near-duplicates of their gold documents); the `--whole`
sets search all of it. The file's header records the command, date, commit and the dev
split's MRR@10 of the page before and after the model (in-sample, and by five-fold
cross-validation over the questions).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.logistic import LogisticModel
from ..core.settings import Settings, get_settings
from ..index.api import RERANK_FEATURES, RERANK_PATH, Filters, Hit, candidate_features, load_retriever, page_of
from .logistic_fit import fit_logistic, header_lines, model_lines
from .questions import load_questions
from .relevance import collapse_whitespace, matches
from .splits import DEV, in_split

FOLDS = 5


@dataclass(frozen=True)
class Page:
    """One dev question's page: its features (one row per clause) and what each clause holds."""

    set: str
    features: np.ndarray
    labels: np.ndarray  # 1: the clause holds a gold snippet
    found: list[frozenset[int]]  # the gold snippets (by number) each clause holds
    before: int  # places ahead of the page (clauses the question references)
    pinned_found: frozenset[int]  # the gold snippets those hold
    snippets: int


def page(
    set_name: str, before: list[Hit], page_hits: list[Hit], features: list[dict[str, float]], snippets: list[str]
) -> Page:
    """The example of one question: `before` the places ahead of the page (pinned clauses)."""

    def held(hit: Hit) -> frozenset[int]:
        return frozenset(i for i, s in enumerate(snippets) if matches(s, hit.passage.text))

    found = [held(hit) for hit in page_hits]
    return Page(
        set_name,
        np.array([[f[name] for name in RERANK_FEATURES] for f in features], dtype=float).reshape(
            -1, len(RERANK_FEATURES)
        ),
        np.array([bool(f) for f in found], dtype=float),
        found,
        len(before),
        frozenset().union(*(held(hit) for hit in before)),
        len(snippets),
    )


def reciprocal_rank(p: Page, order: Sequence[int]) -> float:
    """1 / the place of the first gold clause among the page's places and the ones before it."""
    if p.pinned_found:
        return 1.0
    for place, i in enumerate(order, start=p.before + 1):
        if p.found[i]:
            return 1.0 / place
    return 0.0


def mrr(pages: Sequence[Page], model: LogisticModel | None) -> float:
    scores = []
    for p in pages:
        order = list(range(len(p.found)))
        if model is not None:
            logits = [model.logit(dict(zip(RERANK_FEATURES, row, strict=True))) for row in p.features]
            order.sort(key=lambda i: (-logits[i], i))
        scores.append(reciprocal_rank(p, order))
    return float(np.mean(scores)) if scores else 0.0


def fit(pages: Sequence[Page]) -> LogisticModel:
    x = np.vstack([p.features for p in pages])
    y = np.concatenate([p.labels for p in pages])
    return fit_logistic(x, y, RERANK_FEATURES)


def cross_validated_mrr(pages: Sequence[Page]) -> float:
    """MRR@10 with each question's page ordered by a model fitted without its fold."""
    folds = np.arange(len(pages)) % FOLDS
    np.random.default_rng(0).shuffle(folds)
    scores = []
    for fold in range(FOLDS):
        held_out = [p for p, f in zip(pages, folds, strict=True) if f == fold]
        model = fit([p for p, f in zip(pages, folds, strict=True) if f != fold])
        scores += [mrr([p], model) for p in held_out]
    return float(np.mean(scores))


def index_pages(settings: Settings, args: argparse.Namespace) -> list[Page]:
    """The pages of the sets' dev questions on one index: those whose evidence it holds."""
    retriever = load_retriever(settings).with_fusion(rerank=False)
    excluded = set(args.exclude)
    filters = Filters(doc=[d.id for d in retriever.documents if d.id not in excluded]) if excluded else None
    texts = [collapse_whitespace(p.text) for p in retriever.passages]
    pages: list[Page] = []
    for spec in args.set:
        name, _, path = spec.partition("=")
        for question in in_split(load_questions(Path(path)), DEV):
            snippets = [item.snippet for item in question.relevant]
            wanted = [collapse_whitespace(s) for s in snippets]
            if not any(s in text for text in texts for s in wanted):
                continue  # a question about documents this index does not hold
            hits, facts = retriever.rerank_candidates(question.query, None if name in args.whole else filters)
            if facts is None:
                continue
            page_hits = page_of(hits, facts)
            features = candidate_features(page_hits, facts)
            label = f"{name} on {settings.index_dir}"
            pages.append(page(label, hits[: facts.pinned], page_hits, features, snippets))
    return pages


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--index",
        type=Path,
        action="append",
        default=[],
        help="an index to search (repeatable; default: the settings')",
    )
    parser.add_argument("--set", action="append", default=[], metavar="NAME=PATH", help="a question set (repeatable)")
    parser.add_argument(
        "--whole", action="append", default=[], metavar="NAME", help="a set that searches every document"
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="DOC", help="left out of the other sets' searches"
    )
    parser.add_argument("--out", type=Path, default=RERANK_PATH)
    args = parser.parse_args(argv)
    settings = get_settings()
    pages: list[Page] = []
    for index_dir in args.index or [settings.index_dir]:
        pages += index_pages(settings.model_copy(update={"index_dir": index_dir}), args)
    model = fit(pages)
    lines = [
        f"Dev split: {len(pages)} questions, {sum(len(p.found) for p in pages)} clauses ({int(sum(p.labels.sum() for p in pages))} gold)."
    ]
    for name in dict.fromkeys(p.set for p in pages):
        of_set = [p for p in pages if p.set == name]
        lines.append(f"{name} ({len(of_set)}): MRR@10 {mrr(of_set, None):.3f} -> {mrr(of_set, model):.3f}")
    lines.append(
        f"All: MRR@10 {mrr(pages, None):.3f} -> {mrr(pages, model):.3f} in-sample, {cross_validated_mrr(pages):.3f} by {FOLDS}-fold cross-validation."
    )
    command = "python -m wsis_rag.eval.rerank_calibration " + " ".join(sys.argv[1:] if argv is None else argv)
    text = [
        *header_lines("The rerank model fitted on the dev splits", "index/search/rerank.py", command, "\n".join(lines)),
        "# The logit of 'this clause holds the answer': the order of the first page.",
        *model_lines("rerank", model),
    ]
    args.out.write_text("\n".join(text), encoding="utf-8")
    print("\n".join(lines))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
