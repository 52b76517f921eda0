"""Snippet containment -> qrels, and ranx's metrics against the README's formulas."""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import pytest

from wsis_rag.eval.metrics import METRICS, evaluate
from wsis_rag.eval.questions import Question, RelevantItem
from wsis_rag.eval.relevance import collapse_whitespace, judge_passages, matches, qrels_for
from wsis_rag.eval.runs import RankedPassage, Run


def readme_metrics(question: Question, texts: list[str]) -> dict[str, float]:
    """The formulas of ../shared/eval/README.md, written out directly as the reference."""
    ws = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731 - the README's own definition
    top = texts[:10]
    first_rank: dict[int, int] = {}
    for rank, text in enumerate(top, start=1):
        for j, item in enumerate(question.relevant):
            if j not in first_rank and ws(item.snippet) in ws(text):
                first_rank[j] = rank
    n = len(question.relevant)
    any_match = [r for r, t in enumerate(top, start=1) if any(ws(i.snippet) in ws(t) for i in question.relevant)]
    dcg = sum(1 / math.log2(r + 1) for r in first_rank.values())
    idcg = sum(1 / math.log2(j + 1) for j in range(1, min(n, 10) + 1))
    return {
        "recall@5": sum(r <= 5 for r in first_rank.values()) / n,
        "recall@10": sum(r <= 10 for r in first_rank.values()) / n,
        "mrr@10": 1 / any_match[0] if any_match else 0.0,
        "ndcg@10": min(1.0, dcg / idcg),
    }


def question(qid: str, *snippets: str) -> Question:
    return Question(
        id=qid, query=f"query {qid}", relevant=[RelevantItem(doc="A/RES/80/173", snippet=s) for s in snippets]
    )


def run_of(name: str, ranked: dict[str, list[str]]) -> Run:
    return Run(
        name=name,
        results={
            qid: [RankedPassage(id=f"doc:p{i}", score=100.0 - i, text=t) for i, t in enumerate(texts)]
            for qid, texts in ranked.items()
        },
    )


NOISE = "The General Assembly recalls its earlier resolutions on this subject."
A, B, C = "bridging the digital divide", "Partnership on Measuring ICT", "internet governance forum mandate"

# Hand-made runs: (question, returned passage texts best first).
CASES = [
    (question("nothing", A), [NOISE] * 10),
    (question("third", A), [NOISE, NOISE, f"We stress {A} now.", NOISE]),
    (question("spread", A, B, C), [NOISE, f"x {B} y", NOISE, NOISE, f"{A}.", NOISE, f"the {C} is"]),
    (question("repeat", A, B), [f"{A} first", f"{A} again", NOISE, f"{B}"]),
    (question("cover-all", A, B), [f"{A}; and {B}.", NOISE, f"{A}"]),
    (question("split", A), [NOISE, "We stress bridging the", "digital divide now.", NOISE]),
    (question("spaces", A), [NOISE, "We stress bridging\n the   digital\tdivide."]),
    (question("late", A), [NOISE] * 10 + [A]),
    (question("many", *(f"item number {i} text" for i in range(12))), [f"item number {i} text" for i in range(12)]),
    (question("empty", A), []),
    # One passage first finding several items: exact at rank 1 with the cap, and later
    # items keep their ranks.
    (question("capped", A, B, C), [f"{A} {B}", NOISE, f"{C}", NOISE]),
]


def test_whitespace_is_collapsed_and_a_split_snippet_does_not_match() -> None:
    assert collapse_whitespace("  a \n\t b  ") == "a b"
    assert matches("bridging the  digital divide", "We stress bridging\nthe digital\u00a0divide.")
    assert not matches(A, "We stress bridging the") and not matches(A, "digital divide now.")


def test_items_become_synthetic_documents_found_once() -> None:
    q = question("q1", A, B)
    assert qrels_for([q]) == {"q1": {"q1#1": 1, "q1#2": 1}}
    texts = [f"{A} first", f"{A} again", NOISE, B]
    passages = [RankedPassage(id=f"doc:p{i}", score=1.0, text=t) for i, t in enumerate(texts)]
    ranked, shared = judge_passages(q, passages, k=10)
    # The second passage matching item 1 counts for nothing, and keeps its rank.
    assert ranked == ["q1#1", "doc:p1@2", "doc:p2@3", "q1#2"]
    assert shared == []


@pytest.mark.parametrize(("q", "texts"), CASES, ids=[q.id for q, _ in CASES])
def test_ranx_equals_the_readme_formulas(q: Question, texts: list[str]) -> None:
    evaluation = evaluate([q], [run_of("system", {q.id: texts})])
    expected = readme_metrics(q, texts)
    scores = evaluation.configs[0]
    for metric in METRICS:
        assert scores.per_query[metric][q.id] == pytest.approx(expected[metric]), metric


def test_macro_average_over_all_hand_made_runs() -> None:
    questions = [q for q, _ in CASES]
    evaluation = evaluate(questions, [run_of("system", {q.id: texts for q, texts in CASES})])
    expected = [readme_metrics(q, texts) for q, texts in CASES]
    for metric in METRICS:
        assert evaluation.means()["system"][metric] == pytest.approx(sum(e[metric] for e in expected) / len(CASES))
    assert evaluation.means()["system"]["recall@10"] not in (0.0, 1.0)


def test_one_passage_first_finding_several_items_is_recorded() -> None:
    # README: A and B are both found at rank 2 and gain 1/log2(3) each; ranx needs a rank
    # per document, so B takes rank 3 in place of the unjudged passage there, and C keeps
    # its true rank 5. Recall and MRR stay exact; nDCG counts B one rank lower.
    q = question("shared", A, B, C)
    texts = [NOISE, f"{A} and {B}", NOISE, NOISE, C]
    evaluation = evaluate([q], [run_of("system", {q.id: texts})])
    scores, expected = evaluation.configs[0], readme_metrics(q, texts)
    assert scores.shared_ranks == {"shared": [2]}
    for metric in ("recall@5", "recall@10", "mrr@10"):
        assert scores.per_query[metric]["shared"] == pytest.approx(expected[metric]), metric
    assert expected["recall@5"] == 1.0
    readme_dcg = 2 / math.log2(3) + 1 / math.log2(6)
    ranx_dcg = 1 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(6)
    assert scores.per_query["ndcg@10"]["shared"] == pytest.approx(expected["ndcg@10"] * ranx_dcg / readme_dcg)


def test_paired_test_between_configurations() -> None:
    questions = [question(f"q{i}", A) for i in range(8)]
    good = run_of("good", {q.id: [A, NOISE] for q in questions})
    poor = run_of("poor", {q.id: [NOISE] * 3 + ([A] if i % 2 else []) for i, q in enumerate(questions)})
    evaluation = evaluate(questions, [good, poor])
    assert evaluation.significantly_better("good", "poor", "mrr@10")
    assert not evaluation.significantly_better("poor", "good", "mrr@10")
    assert evaluation.p_values["good"]["poor"]["mrr@10"] < 0.05


def test_ranx_runs_as_plain_python_and_numba_is_left_as_it_was() -> None:
    import numba

    config: Any = numba.config
    jit_was_off = config.DISABLE_JIT
    q = question("plain", A)
    evaluate([q], [run_of("system", {q.id: [A]})])
    kernel = sys.modules["ranx.metrics.recall"]._recall
    # Compiled, ranx's kernels cost minutes on a fresh install (docs/decisions/eval-ranx-interpreted.md).
    assert callable(kernel) and not isinstance(kernel, numba.core.registry.CPUDispatcher)
    assert config.DISABLE_JIT == jit_was_off
