"""The guard: a gold snippet that no indexed passage contains is an error naming the query."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsis_rag.eval.harness import evaluate_retriever
from wsis_rag.eval.questions import Question, RelevantItem, load_questions
from wsis_rag.eval.relevance import UnmatchedSnippetError, check_snippets, collapse_whitespace


def _question(qid: str, snippet: str) -> Question:
    return Question(id=qid, query="digital divide", relevant=[RelevantItem(doc="A/RES/80/173", snippet=snippet)])


def test_every_dev_snippet_is_in_the_index(retriever, dev_set: Path) -> None:
    check_snippets(load_questions(dev_set), (p.text for p in retriever.passages))


def test_unmatched_snippets_are_an_error_naming_the_queries(retriever, dev_set: Path) -> None:
    resolution = sorted((p for p in retriever.passages if p.doc_id == "a-res-80-173"), key=lambda p: p.order)
    first, second = resolution[20], resolution[21]
    # Real text of the document that runs across a passage boundary: a chunker that cut a
    # gold paragraph in two would leave its snippet like this.
    straddling = f"{collapse_whitespace(first.text)[-30:]} {collapse_whitespace(second.text)[:30]}"
    dev = load_questions(dev_set)
    altered = dev[20].relevant[0].snippet.replace("e", "3", 1)  # a parser that mangled a character
    questions = [*dev, _question("x-split", straddling), _question("x-altered", altered)]
    with pytest.raises(UnmatchedSnippetError) as caught:
        check_snippets(questions, (p.text for p in retriever.passages))
    assert set(caught.value.missing) == {"x-split", "x-altered"}
    assert "x-split" in str(caught.value) and "x-altered" in str(caught.value)


def test_evaluation_refuses_to_score_a_set_with_an_unmatched_snippet(retriever) -> None:
    with pytest.raises(UnmatchedSnippetError, match="x-missing"):
        evaluate_retriever(retriever, [_question("x-missing", "a snippet that the corpus never says")], ["bm25"])
