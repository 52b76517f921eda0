"""Bootstrap confidence intervals: seeded, paired over questions, and a difference is called
only when its interval excludes zero; the tables that show them, piped and as JSON."""

from __future__ import annotations

import numpy as np
import pytest

from wsis_rag.core.errors import InvalidRequestError
from wsis_rag.core.tables import render, tables_json
from wsis_rag.eval.metrics import bootstrap_interval, evaluate
from wsis_rag.eval.questions import Question, RelevantItem
from wsis_rag.eval.report import all_tables
from wsis_rag.eval.runs import RankedPassage, Run

GOLD = "the gold evidence sentence"
NOISE = "an unrelated passage"


def question(qid: str) -> Question:
    return Question(id=qid, query="q", relevant=[RelevantItem(doc="A/RES/80/173", snippet=GOLD)])


def run(name: str, found: dict[str, int | None]) -> Run:
    """`found[qid]` = the rank of the gold passage (None: not returned)."""
    results = {}
    for qid, rank in found.items():
        texts = [NOISE] * 10
        if rank is not None:
            texts[rank - 1] = GOLD
        results[qid] = [RankedPassage(id=f"p{i}", score=1.0, text=t) for i, t in enumerate(texts)]
    return Run(name=name, results=results)


def test_interval_is_seeded_and_contains_the_mean() -> None:
    scores = [1.0, 0.0, 1.0, 1.0, 0.5, 0.0, 1.0, 0.25]
    first, again = bootstrap_interval(scores), bootstrap_interval(scores)
    assert first == again
    assert first.value == pytest.approx(sum(scores) / len(scores))
    assert first.low < first.value < first.high
    assert 0.0 <= first.low and first.high <= 1.0


def test_a_paired_difference_of_medians_holds_the_shift() -> None:
    baseline = [10.0, 11.0, 12.0, 13.0, 14.0] * 20
    slower = [value + 1.0 for value in baseline]
    difference = bootstrap_interval(slower, baseline, statistic=np.median)
    assert difference.value == pytest.approx(1.0)
    assert difference.low <= 1.0 <= difference.high and difference.low > 0
    same = bootstrap_interval(baseline, baseline, statistic=np.median)
    assert same.value == same.low == same.high == 0.0


def test_constant_scores_have_a_point_interval() -> None:
    assert bootstrap_interval([0.5] * 20).as_json() == [0.5, 0.5, 0.5]


def test_a_consistent_win_is_called_and_a_coin_flip_is_not() -> None:
    questions = [question(f"q{i}") for i in range(30)]
    ids = [q.id for q in questions]
    base = run("base", {qid: 5 for qid in ids})
    better = run("better", {qid: 1 for qid in ids[:25]} | {qid: 5 for qid in ids[25:]})
    evaluation = evaluate(questions, [base, better], baseline="base")
    gain = evaluation.difference("better", "mrr@10")
    assert gain.value == pytest.approx(25 / 30 * (1 - 0.2)) and gain.excludes_zero and gain.low > 0
    assert evaluation.difference("base", "mrr@10").as_json() == [0.0, 0.0, 0.0]
    rows = {row[1]: row for row in all_tables(evaluation)[0].rows}
    assert rows["better"][-1].endswith("*") and "[" in rows["base"][2] and rows["base"][-1] == "–"
    # Each finds the evidence on the questions the other misses: no difference to call.
    odd = run("odd", {qid: (1 if i % 2 else None) for i, qid in enumerate(ids)})
    even = run("even", {qid: (None if i % 2 else 1) for i, qid in enumerate(ids)})
    coin = evaluate(questions, [odd, even], baseline="even").difference("odd", "recall@10")
    assert coin.value == 0.0 and not coin.excludes_zero and coin.low < 0 < coin.high


def test_unknown_baseline_is_an_error() -> None:
    questions = [question("q1")]
    with pytest.raises(InvalidRequestError, match="baseline 'nope'"):
        evaluate(questions, [run("a", {"q1": 1})], baseline="nope")


def test_the_tables_are_tsv_when_piped_and_named_lists_as_json() -> None:
    questions = [question(f"q{i}") for i in range(4)]
    tables = all_tables(evaluate(questions, [run("base", {q.id: 1 for q in questions}), run("none", {})]))

    tsv = render(tables[0], terminal=False)
    assert isinstance(tsv, str)
    assert tsv.splitlines()[:2] == [
        "# All queries",
        "letter\tconfiguration\tR@5\tR@10\tMRR@10\tnDCG@10\tΔR@10\tΔMRR@10",
    ]
    as_json = tables_json(tables)
    assert list(as_json) == [t.title for t in tables]
    assert [(row["letter"], row["configuration"]) for row in as_json["All queries"]] == [("a", "base"), ("b", "none")]
