"""Relevance by gold-snippet containment (../shared/eval/README.md), turned into standard
qrels and a ranx run. This is the only hand-written scoring step; the metrics are ranx's.

Each relevant item j of query q becomes one synthetic document `q#j` with relevance 1: the
qrels of q hold exactly its n items, so recall divides by n and the ideal DCG is
Σ_{j<=min(n,10)} 1/log2(j+1), as the README defines them. In the judged run, a returned
passage that first finds some items stands in the ranking as those items' synthetic ids;
a passage that finds nothing new (no match, or only items already found) keeps its own id,
which no qrel names. So several passages matching one item count once, and one passage
matching several items counts for each.

With this construction ranx's Recall@k, MRR@10 and nDCG@10 equal the README's formulas
whenever no single passage is the first to find two or more items of the same query. When
one is (a chunk holding several gold paragraphs), ranx needs one rank per document, so
the extra items take the following ranks, in place of the unjudged passages there (which
count for nothing), so that later items keep their true ranks. Recall@k and MRR@10 stay
exact (unless more items are found in the top k than there are ranks). nDCG@10 is exact
when the found items fill the first min(n,10) ranks (both give 1, the README by its cap),
and otherwise a little lower than the README's, whose extra items gain at the passage's
rank rather than the following ones. No ranking can give ranx the README's value there:
ranx gives each document its own rank.
`JudgedRun.shared_ranks` records every such case, and reports show it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.errors import WsisError
from .questions import Question
from .runs import Qrels, RankedPassage, Run

_WHITESPACE = re.compile(r"\s+")
NO_RESULTS = "#no-results"


class UnmatchedSnippetError(WsisError):
    """Gold snippets that no passage of the indexed corpus contains (usually a parser or
    chunking regression that split or altered the evidence)."""

    def __init__(self, missing: dict[str, list[str]]) -> None:
        self.missing = missing
        detail = "; ".join(f"{qid}: {', '.join(repr(s) for s in snippets)}" for qid, snippets in missing.items())
        super().__init__(f"gold snippets found in no indexed passage ({len(missing)} queries): {detail}")


def collapse_whitespace(text: str) -> str:
    """Every run of whitespace becomes one space, then the ends are trimmed."""
    return _WHITESPACE.sub(" ", text).strip()


def matches(snippet: str, passage_text: str) -> bool:
    return collapse_whitespace(snippet) in collapse_whitespace(passage_text)


def item_id(question_id: str, item_number: int) -> str:
    """Synthetic doc id of the item_number-th (1-based) relevant item; '#' never occurs in
    passage ids, so it cannot collide with an unjudged passage."""
    return f"{question_id}#{item_number}"


def qrels_for(questions: Iterable[Question]) -> Qrels:
    return {q.id: {item_id(q.id, j): 1 for j in range(1, len(q.relevant) + 1)} for q in questions}


@dataclass
class JudgedRun:
    """A run rewritten for ranx: query id -> {doc id: score}, scores strictly decreasing
    with rank."""

    name: str
    ranking: dict[str, dict[str, float]] = field(default_factory=dict)
    shared_ranks: dict[str, list[int]] = field(
        default_factory=dict
    )  # query id -> ranks where one passage found >1 item


def judge_passages(question: Question, passages: list[RankedPassage], k: int) -> tuple[list[str], list[int]]:
    """The ranked doc ids ranx sees for one query's top-k passages, and the ranks at which
    one passage was the first to find several items."""
    snippets = [collapse_whitespace(item.snippet) for item in question.relevant]
    found: set[int] = set()
    ranked: list[str] = []
    shared: list[int] = []
    for rank, passage in enumerate(passages[:k], start=1):
        text = collapse_whitespace(passage.text)
        new = [j for j, snippet in enumerate(snippets, start=1) if j not in found and snippet in text]
        found.update(new)
        if len(new) > 1:
            shared.append(rank)
        if new:
            ranked.extend(item_id(question.id, j) for j in new)
        elif len(ranked) < rank:
            # Unjudged: it holds its rank (the suffix keeps the id unique even if a system
            # returned the same passage twice) unless an earlier passage's extra items
            # already took it; dropping it then brings later items back to their true rank.
            ranked.append(f"{passage.id}@{rank}")
    return ranked, shared


def judge_run(questions: Iterable[Question], run: Run, k: int = 10) -> JudgedRun:
    judged = JudgedRun(name=run.name)
    for question in questions:
        ranked, shared = judge_passages(question, run.results.get(question.id, []), k)
        # ranx cannot hold a query without documents; an unjudged placeholder scores 0 as
        # an empty answer must.
        ranked = ranked or [NO_RESULTS]
        judged.ranking[question.id] = {doc_id: float(len(ranked) - i) for i, doc_id in enumerate(ranked)}
        if shared:
            judged.shared_ranks[question.id] = shared
    return judged


def check_snippets(questions: Iterable[Question], passage_texts: Iterable[str]) -> None:
    """Raise `UnmatchedSnippetError` naming every query with a gold snippet that no passage
    contains; an unfindable snippet would otherwise score as a silent zero."""
    # Collapsed texts never contain a newline, so joining on one cannot create a match
    # across two passages.
    corpus = "\n".join(collapse_whitespace(text) for text in passage_texts)
    missing: dict[str, list[str]] = {}
    for question in questions:
        for item in question.relevant:
            if collapse_whitespace(item.snippet) not in corpus:
                missing.setdefault(question.id, []).append(item.snippet)
    if missing:
        raise UnmatchedSnippetError(missing)
