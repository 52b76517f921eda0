"""The answer metrics judge what an /ask response says against the gold snippets: gold
among the citations and first, sentences from gold clauses (verbatim), the asker's
language first, and abstention scored with the unanswerable questions as positives; the
dev/test split is stable per question."""

from __future__ import annotations

import numpy as np
import pytest

from wsis_rag.eval.answers import AnswerBody, Asked, abstention, judge
from wsis_rag.eval.questions import Question, QuestionSetError, RelevantItem, parse_questions, require_evidence
from wsis_rag.eval.splits import DEV, TEST, in_split, split_of

GOLD = "requests the International Telecommunication Union to report annually"


def question(qid: str = "x1", lang: str = "en", relevant: bool = True, kind: str = "factoid") -> Question:
    items = [RelevantItem(doc="A/RES/80/173", snippet=GOLD)] if relevant else []
    return Question(id=qid, query="What does it ask of ITU?", lang=lang, kind=kind, relevant=items)


def body(found: bool = True, support: str | None = None) -> AnswerBody:
    gold_text = f"It {GOLD} on the divide. It also notes progress."
    return AnswerBody.model_validate(
        {
            "found": found,
            "support": support,
            "answer": f"It notes the report. [1] It {GOLD} on the divide. [2]" if found else "none",
            "citations": [
                {"n": 1, "id": "d:para-1", "text": "It notes the report. Nothing else.", "lang": "en"},
                {"n": 2, "id": "d:para-2", "text": gold_text, "lang": "en"},
            ]
            if found
            else [],
        }
    )


def test_an_answer_is_judged_against_the_gold_snippets() -> None:
    judged = judge(question(), "set", Asked(body(), retrieved=["x", f"It {GOLD} on the divide."], took_ms=5.0))
    assert judged.retrieved_gold and judged.gold_cited and not judged.first_gold
    assert judged.gold_sentences == pytest.approx(0.5) and judged.items_cited == 1.0
    assert judged.sentences == 2
    assert judged.verbatim and judged.askers_language_first is True
    assert judged.support == "strong" and not judged.declined  # an older service: found means strong


def test_a_sentence_not_in_its_clause_is_not_verbatim() -> None:
    forged = body().model_copy(update={"answer": "It says something else. [2]"})
    judged = judge(question(), "set", Asked(forged, retrieved=[], took_ms=1.0))
    assert not judged.verbatim and judged.gold_sentences == 0.0


def test_the_askers_language_counts_only_where_evidence_in_it_exists() -> None:
    # A Chinese question on English evidence: nothing in Chinese to put first.
    judged = judge(question(lang="zh"), "set", Asked(body(), retrieved=[], took_ms=1.0))
    assert judged.askers_language_first is None


def test_abstention_takes_the_unanswerable_questions_as_positives() -> None:
    answerable = [judge(question(f"a{i}"), "s", Asked(body(found=i != 0), [], 1.0)) for i in range(4)]
    unanswerable = [
        judge(question(f"u{i}", relevant=False, kind="off-topic"), "s", Asked(body(found=i == 0), [], 1.0))
        for i in range(2)
    ]
    assert [j.sentences for j in answerable] == [None, 2, 2, 2]  # a declined answer quotes nothing
    scores = abstention(answerable + unanswerable)
    # Declined: a0 (wrongly) and u1 (rightly): precision 1/2, recall 1/2.
    assert scores["precision"].value == pytest.approx(0.5) and scores["recall"].value == pytest.approx(0.5)
    assert scores["f1"].value == pytest.approx(0.5)
    assert scores["answerable declined"].value == pytest.approx(0.25)
    assert scores["f1"].low <= 0.5 <= scores["f1"].high


def test_unanswerable_questions_need_their_kind_and_stay_out_of_retrieval_scores() -> None:
    rows = ['{"id": "u1", "query": "q", "kind": "near-miss", "relevant": []}']
    parsed = parse_questions(rows)
    assert not parsed[0].answerable
    with pytest.raises(QuestionSetError, match="wsis eval --answers"):
        require_evidence(parsed)
    with pytest.raises(QuestionSetError, match="relevant"):
        parse_questions(['{"id": "x", "query": "q", "relevant": []}'])


def test_splits_are_recorded_or_hashed_from_the_id_alone() -> None:
    recorded = question("a1").model_copy(update={"split": TEST})
    assert split_of(recorded) == TEST
    hashed = [question(f"h{i:03d}") for i in range(200)]
    sides = [split_of(q) for q in hashed]
    assert sides == [split_of(question(q.id, lang="zh")) for q in hashed]  # the id alone decides
    share = np.mean([side == DEV for side in sides])
    assert 0.3 < share < 0.5
    assert len(in_split(hashed, DEV)) + len(in_split(hashed, TEST)) == len(hashed) == len(in_split(hashed, None))
