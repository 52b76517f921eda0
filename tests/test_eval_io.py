"""Question sets and TREC files: round trips on the real dev set, clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsis_rag.eval.questions import QuestionSetError, load_questions, write_questions
from wsis_rag.eval.relevance import qrels_for
from wsis_rag.eval.runs import (
    RankedPassage,
    Run,
    TrecFormatError,
    read_trec_qrels,
    read_trec_run,
    write_trec_qrels,
    write_trec_run,
)


def test_dev_set_loads_and_round_trips(dev_set: Path, tmp_path: Path) -> None:
    questions = load_questions(dev_set)
    assert len(questions) == 40 and questions[0].id == "d001"
    assert {q.kind for q in questions} >= {"factoid", "multi", "symbol", "paraphrase", "keyword", "briefing"}
    copy = tmp_path / "copy.jsonl"
    write_questions(questions, copy)
    assert load_questions(copy) == questions
    assert "国际电联" in copy.read_text(encoding="utf-8")  # Chinese stays readable, not \u-escaped


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "x1", "query": "q", "relevant": [{"doc": "GDC", "snippet": "s"}]}\n{not json\n', ":2: not valid JSON"),
        ('{"id": "x1", "query": "q", "relevant": []}\n', ":1: relevant"),
        ('{"id": "x1", "relevant": [{"doc": "GDC", "snippet": "s"}]}\n', ":1: query"),
        (
            '{"id": "x1", "query": "q", "relevant": [{"doc": "GDC", "snippet": "s"}]}\n' * 2,
            "duplicate question id 'x1'",
        ),
        ("\n\n", "no questions"),
    ],
)
def test_bad_question_sets_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionSetError, match=message.replace("(", r"\(")):
        load_questions(path)


def test_missing_question_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match="cannot read"):
        load_questions(tmp_path / "absent.jsonl")


def test_trec_run_round_trip(tmp_path: Path) -> None:
    texts = {"gdc:para-7": "Objective one.", "a-res-80-173:para-121": "We decide...", "gdc:para-33-b": "(b) Bridging"}
    run = Run(
        name="hybrid variant",
        results={
            "d001": [
                RankedPassage(id=i, score=s, text=texts[i]) for i, s in (("gdc:para-7", 0.5), ("gdc:para-33-b", 0.25))
            ],
            "d002": [RankedPassage(id="a-res-80-173:para-121", score=1.0, text=texts["a-res-80-173:para-121"])],
        },
    )
    path = tmp_path / "run.txt"
    write_trec_run(run, path)
    assert path.read_text().splitlines()[0] == "d001 Q0 gdc:para-7 1 0.500000 hybrid_variant"
    back = read_trec_run(path, texts, name="hybrid variant")
    assert back == run


def test_trec_run_is_ordered_by_its_rank_column(tmp_path: Path) -> None:
    path = tmp_path / "run.txt"
    path.write_text("q1 Q0 b 2 0.4 sys\nq1 Q0 a 1 0.9 sys\n")
    run = read_trec_run(path, {"a": "A", "b": "B"})
    assert [p.id for p in run.results["q1"]] == ["a", "b"] and run.name == "sys"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("q1 Q0 a 1 0.9\n", "expected 6 columns"),
        ("q1 Q0 a one 0.9 sys\n", "'one' is not a valid int"),
        ("q1 Q0 zz 1 0.9 sys\n", "passage 'zz' is not in the index"),
    ],
)
def test_bad_trec_runs_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "run.txt"
    path.write_text("q1 Q0 a 1 1.0 sys\n" + line)
    with pytest.raises(TrecFormatError, match=f"run.txt:2: {message}"):
        read_trec_run(path, {"a": "A"})


def test_trec_qrels_round_trip(dev_set: Path, tmp_path: Path) -> None:
    qrels = qrels_for(load_questions(dev_set))
    path = tmp_path / "qrels.txt"
    write_trec_qrels(qrels, path)
    assert read_trec_qrels(path) == qrels
    assert qrels["d004"] == {"d004#1": 1, "d004#2": 1, "d004#3": 1}
