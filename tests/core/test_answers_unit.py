"""Answers on the mini-corpus: multi-part questions split by rules, the reading order
(named document first, then the asker's language, never interleaved), support from the
calibrated model and its thresholds, and markers that resolve verbatim. The calibration
here is written by the tests (the shipped one is fitted on the real corpus)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from wsis_rag.core.logistic import CalibrationError, LogisticModel
from wsis_rag.core.vocabulary import DocumentMeta, Passage
from wsis_rag.index.api import Embedder, HybridRetriever, build_retriever
from wsis_rag.products.answers.answer import NOT_FOUND_ANSWER, answer_question
from wsis_rag.products.answers.calibration import Calibration, load_calibration, parse_calibration
from wsis_rag.products.answers.choice import SENTENCE_FEATURES, Candidate, Chosen, Role, in_reading_order, select
from wsis_rag.products.answers.parts import split_question
from wsis_rag.products.answers.question import missing_references, understand
from wsis_rag.products.answers.sentences import actor_names, asks_for_task, gives_task
from wsis_rag.products.answers.support import (
    SUPPORT_FEATURES,
    Support,
    gives_figure,
    support_features,
    support_of,
    unmet_asks,
)

# Sentences ranked by their e5 (here: hashing) cosine, terms and named document, the corpus
# answering when the best sentence says the question's terms.
CALIBRATION = Calibration(
    choice=LogisticModel(-4.0, {"cosine": 6.0, "terms": 2.0, "reciprocal_rank": 1.0, "named": 3.0}),
    support=LogisticModel(-3.0, {"answer_terms": 6.0, "answer_terms_across": 6.0, "missing_references": -10.0}),
    strong=0.8,
    weak=0.3,
)


@pytest.fixture(scope="module")
def retriever(
    mini_passages: list[Passage], mini_documents: list[DocumentMeta], hashing_embedder: Embedder
) -> HybridRetriever:
    """The mini-corpus with the hashing encoder standing in for e5, the answers' encoder."""
    return build_retriever(mini_passages, mini_documents, {"e5": hashing_embedder})


@pytest.mark.parametrize(
    ("question", "names", "parts"),
    [
        (
            "What does A/RES/80/173 assign to ITU and to UNESCO?",
            [],
            ["What does A/RES/80/173 assign to ITU?", "What does A/RES/80/173 assign to UNESCO?"],
        ),
        (
            "Compare what the GDC and A/RES/80/173 say about connecting schools to the Internet.",
            [],
            [
                "What does the GDC say about connecting schools to the Internet?",
                "What does A/RES/80/173 say about connecting schools to the Internet?",
            ],
        ),
        (
            "For how long did A/RES/70/125 extend the IGF mandate, and what did A/RES/80/173 decide about "
            "the Forum's status?",
            [],
            [
                "For how long did A/RES/70/125 extend the IGF mandate?",
                "What did A/RES/80/173 decide about the Forum's status?",
            ],
        ),
        (
            "What do the WSIS+20 outcome and the GDC say about Internet shutdowns?",
            ["WSIS+20 outcome", "GDC"],
            [
                "What does the WSIS+20 outcome say about Internet shutdowns?",
                "What does the GDC say about Internet shutdowns?",
            ],
        ),
        (
            "A/RES/70/125和A/RES/80/173分别如何对待互联网治理的工作定义？",
            ["A/RES/70/125", "A/RES/80/173"],
            ["A/RES/70/125如何对待互联网治理的工作定义？", "A/RES/80/173如何对待互联网治理的工作定义？"],
        ),
        # One question, and a second part that cannot stand alone: both stay whole.
        ("What does A/RES/80/173 assign to ITU?", [], ["What does A/RES/80/173 assign to ITU?"]),
        (
            "What joint road map is UNGIS asked to prepare, and who will consider it?",
            [],
            ["What joint road map is UNGIS asked to prepare, and who will consider it?"],
        ),
    ],
)
def test_multi_part_questions_are_split_by_rules(question: str, names: list[str], parts: list[str]) -> None:
    assert split_question(question, names) == parts


def test_names_and_tasks_of_a_question() -> None:
    assert actor_names("What does A/RES/80/173 ask of the World Bank?") == {"World Bank"}
    assert actor_names("Which tasks does the outcome give UNICEF and the Secretary-General?") == {
        "UNICEF",
        "Secretary-General",
    }
    assert actor_names("成果文件要求国际电联做什么？") == {"International Telecommunication Union"}
    assert asks_for_task("What does A/RES/80/173 assign to ITU?") and not asks_for_task("When did it meet?")
    assert gives_task("with a secretariat provided by the International Telecommunication Union")


def test_a_figure_is_a_count_or_an_amount_not_a_year_a_symbol_or_a_goal() -> None:
    assert gives_figure("more than 93 per cent of the world's population") and gives_figure("共审议了26份文稿")
    assert gives_figure("appoint two co-facilitators") and gives_figure("300多名代表")
    # Years, also glued to Chinese text (a Han character is a word character), a period,
    # symbols, paragraph and goal numbers answer no "how many".
    assert not gives_figure("各方对WSIS+20 HLE 2025合作伙伴的财务捐助表示感谢。")
    assert not gives_figure("在2025-2027年划拨预算范围内。")
    assert not gives_figure("capabilities (SDGs 3 and 4); targets (SDG 17); 可持续发展目标4")
    assert not gives_figure("A/RES/80/173, para. 121, adopted in 2025")


@pytest.mark.parametrize(
    ("question", "lacking", "giving"),
    [
        (
            "Who chaired the ministerial roundtables of the high-level event?",
            "The event held two ministerial roundtables.",
            "在第44次会议上，工作组与Egriselda López女士阁下进行了磋商。",
        ),
        (
            "In which city will the 2026 WSIS Forum be held?",
            "Decides that the Forum shall be held annually;",
            "the twentieth meeting of the Forum, held in Lillestrøm, Norway",
        ),
        ("高级别活动在哪个月举行？", "高级别活动于2025年举行。", "高级别活动于2025年7月举行。"),
        ("What was the theme of the 2025 Forum?", "The Forum met in 2025.", "under the theme “Building digital trust”"),
        (
            "How does the Compact define digital public goods?",
            "Digital public goods are important drivers of inclusive digital transformation.",
            "digital public goods refers to open-source software, open data and open AI models",
        ),
    ],
)
def test_a_kind_of_fact_asked_for_is_unmet_by_an_answer_that_lacks_it(question: str, lacking: str, giving: str) -> None:
    unmet = {kind for kind, value in unmet_asks(question, lacking).items() if value}
    assert len(unmet) == 1 and unmet <= set(SUPPORT_FEATURES)
    assert not any(unmet_asks(question, giving).values())
    # A question that asks for none of them leaves every feature at 0.
    assert not any(unmet_asks("What does A/RES/80/173 ask of ITU?", lacking).values())


def test_a_clause_reference_the_document_lacks_is_missing(retriever: HybridRetriever) -> None:
    present = understand(retriever, "What does paragraph 2 of A/RES/99/7 say?")
    absent = understand(retriever, "What does paragraph 40 of A/RES/99/7 say?")
    assert present.references and absent.references
    assert missing_references(present, retriever.search(present.text)) == 0
    assert missing_references(absent, retriever.search(absent.text)) == 1
    # Paragraph 3 has subparagraphs (a) and (b) of its own: a third names nothing, not
    # paragraph 3, and the answer quotes nothing for it.
    beyond = understand(retriever, "What does paragraph 3 (c) of A/RES/99/7 say?")
    assert beyond.references and not beyond.referenced_anchors[beyond.references[0]]
    assert missing_references(beyond, retriever.search(beyond.text)) == 1
    body = answer_question(retriever, beyond.text, 6, None, CALIBRATION)
    assert [c.locator for c in body.missing_clauses] == ["para. 3 (c)"]
    assert not any(c.citation.doc_id == "mini-res" and c.id.endswith(":para-3") for c in body.citations)


def test_a_name_the_named_document_never_says_counts_against_the_answer(retriever: HybridRetriever) -> None:
    # The resolution names the Internet Governance Forum, never the World Bank.
    assert understand(retriever, "What does A/RES/99/7 ask of the World Bank?").unsaid_names == 1.0
    assert understand(retriever, "What does A/RES/99/7 decide for the Internet Governance Forum?").unsaid_names == 0.0
    both = understand(retriever, "What do the Internet Governance Forum and the World Bank get under A/RES/99/7?")
    assert both.unsaid_names == 0.5
    # Only where the question names a document, and not a one-word name (an acronym is often
    # written out in full in the text), nor a Latin name in a Chinese document.
    assert understand(retriever, "What does the World Bank do?").unsaid_names == 0.0
    assert understand(retriever, "What does A/RES/99/7 ask of UNICEF?").unsaid_names == 0.0
    assert understand(retriever, "What does the Council report say about the World Bank?").unsaid_names == 0.0


def test_the_verb_asking_for_a_task_is_no_unknown_word(retriever: HybridRetriever) -> None:
    # No clause of the mini-corpus says "assign": the question's frame, not its topic.
    assert understand(retriever, "What does A/RES/99/7 assign to the Internet Governance Forum?").unknown_words == 0.0
    assert understand(retriever, "What does A/RES/99/7 say about the Internet Governance Forum?").unknown_words == 0.0
    assert understand(retriever, "What does A/RES/99/7 say about guitars?").unknown_words == 0.5  # guitar, sym:99/7


def test_every_marker_resolves_to_a_cited_clause_that_holds_the_sentence(retriever: HybridRetriever) -> None:
    body = answer_question(retriever, "Which countries does the digital divide report concern?", 6, None, CALIBRATION)
    assert body.found and body.sentences
    cited = {c.n: c for c in body.citations}
    for sentence in body.sentences:
        assert sentence.text in cited[sentence.n].text
        assert sentence.lang == cited[sentence.n].lang
    assert body.answer == " ".join(f"{s.text} [{s.n}]" for s in body.sentences)
    assert [c.n for c in body.citations] == list(range(1, len(body.citations) + 1))


def test_the_named_documents_clauses_answer_and_the_others_are_context(retriever: HybridRetriever) -> None:
    body = answer_question(
        retriever, "What does the Council report say about the digital divide?", 8, None, CALIBRATION
    )
    roles = [(s.role, cited.citation.doc_id) for s in body.sentences for cited in body.citations if cited.n == s.n]
    assert roles and roles[0] == (Role.ANSWER, "mini-report")
    assert all((role == Role.ANSWER) == (doc == "mini-report") for role, doc in roles), roles
    assert roles == sorted(roles, key=lambda pair: pair[0] != Role.ANSWER)


def test_languages_follow_one_another_never_interleaved(retriever: HybridRetriever) -> None:
    hits = retriever.search("digital divide 数字鸿沟 least developed countries 最不发达国家", k=8)
    question = understand(retriever, "digital divide least developed countries")
    # The Chinese sentences score higher: the asker's language still comes first when one of
    # its sentences leads, each language in one run.
    chosen = [
        Chosen(Candidate(hit, hit.passage.text, {}, 0.9 if hit.passage.lang == "zh" else 0.2), Role.ANSWER)
        for hit in hits
    ]
    assert {c.lang for c in chosen} == {"en", "zh"}
    langs = [c.lang for c in in_reading_order(chosen, question)]
    assert langs == sorted(langs, key=lambda lang: lang != "en")
    chinese = understand(retriever, "数字鸿沟 最不发达国家")
    langs = [c.lang for c in in_reading_order(chosen, chinese)]
    assert langs == sorted(langs, key=lambda lang: lang != "zh")
    # An English sentence carried as a further clause does not open the answer: the
    # language of the best sentence does.
    carried = [replace(c, lead=c.lang == "zh") for c in chosen]
    langs = [c.lang for c in in_reading_order(carried, question)]
    assert langs == sorted(langs, key=lambda lang: lang != "zh")


def test_the_answer_carries_further_clauses_after_its_lead(retriever: HybridRetriever) -> None:
    question = understand(retriever, "digital divide least developed countries")
    hits = [hit for hit in retriever.search(question.text, k=10) if hit.passage.lang == "en"]
    scored = [
        Candidate(hit, hit.passage.text, {"cosine": s}, s) for hit, s in zip(hits, (0.9, 0.2, 0.1, 0.01), strict=False)
    ]
    assert not question.named and len(scored) == 4

    def chosen(carry: float, max_sentences: int = 4) -> list[tuple[float, bool]]:
        calibration = replace(CALIBRATION, keep=0.5, carry=carry, max_sentences=max_sentences)
        return [(c.candidate.score, c.lead) for c in in_reading_order(select(scored, question, calibration), question)]

    assert chosen(carry=1.0) == [(0.9, True)]
    assert chosen(carry=0.1) == [(0.9, True), (0.2, False), (0.1, False)]
    assert chosen(carry=0.1, max_sentences=2) == [(0.9, True), (0.2, False)]
    # The support reads the lead alone: here the clause that says the question's words is a
    # further one, and carrying it changes none of the support's features.
    rescored = [replace(c, score=s) for c, s in zip(scored, (0.01, 0.1, 0.2, 0.9), strict=True)]
    reversed_scores = sorted(rescored, key=lambda c: -c.score)
    carry = replace(CALIBRATION, keep=0.5, carry=0.01)
    carried = in_reading_order(select(reversed_scores, question, carry), question)
    lead_alone = [c for c in carried if c.lead]
    assert len(lead_alone) == 1 and len(carried) == 4
    features = support_features(question, hits, reversed_scores, carried)
    assert features == support_features(question, hits, reversed_scores, lead_alone)
    all_as_lead = support_features(question, hits, reversed_scores, [replace(c, lead=True) for c in carried])
    assert all_as_lead["answer_terms"] > features["answer_terms"]


def test_a_two_part_question_is_answered_per_part(retriever: HybridRetriever) -> None:
    body = answer_question(
        retriever,
        "What does A/RES/99/7 request of the International Telecommunication Union and of the Secretary-General?",
        6,
        None,
        CALIBRATION,
    )
    assert [p.question for p in body.parts] == [
        "What does A/RES/99/7 request of the International Telecommunication Union?",
        "What does A/RES/99/7 request of the Secretary-General?",
    ]
    numbers = {c.n for c in body.citations}
    for part in body.parts:
        assert {c.n for c in part.citations} == {s.n for s in part.sentences} <= numbers
    assert body.sentences == [s for p in body.parts for s in p.sentences]
    assert body.confidence == max(p.confidence for p in body.parts)


def test_a_question_that_only_names_clauses_is_answered_by_their_text(retriever: HybridRetriever) -> None:
    # "What does paragraph N say?" asks for the clause itself: quoted whole, in document
    # order, with its subparagraphs; a question about something in it is answered as any other.
    body = answer_question(retriever, "What does paragraph 3 of A/RES/99/7 say?", 6, None, CALIBRATION)
    assert body.found and body.support == Support.STRONG and body.confidence == 1.0
    assert [c.citation.locator for c in body.citations] == ["para. 3", "para. 3 (a)", "para. 3 (b)"]
    assert [s.text for s in body.sentences][1:] == [
        "(a) To close the gender digital divide by 2030;",
        "(b) To invest in meaningful connectivity for schools;",
    ]
    asking = answer_question(retriever, "What does paragraph 3 of A/RES/99/7 say about schools?", 6, None, CALIBRATION)
    assert asking.confidence < 1.0


def test_support_follows_the_thresholds_and_none_is_declined(retriever: HybridRetriever) -> None:
    assert [support_of(c, CALIBRATION) for c in (0.9, 0.8, 0.5, 0.3, 0.1)] == [
        Support.STRONG,
        Support.STRONG,
        Support.WEAK,
        Support.WEAK,
        Support.NONE,
    ]
    declined = answer_question(retriever, "What does paragraph 40 of A/RES/99/7 say?", 6, None, CALIBRATION)
    assert declined.support == Support.NONE and not declined.found
    assert declined.answer == f"{NOT_FOUND_ANSWER} A/RES/99/7 has no para. 40."
    assert declined.citations == [] and declined.sentences == []


def test_the_calibration_is_data_checked_against_the_features() -> None:
    shipped = load_calibration()
    assert set(shipped.choice.weights) <= set(SENTENCE_FEATURES)
    assert set(shipped.support.weights) <= set(SUPPORT_FEATURES)
    assert 0 < shipped.weak <= shipped.strong <= 1
    # Each fitted weight keeps the sign its feature is given.
    for model, signs in ((shipped.choice, SENTENCE_FEATURES), (shipped.support, SUPPORT_FEATURES)):
        assert all(weight * signs[name] >= 0 for name, weight in model.weights.items())
    raw = {
        "choice": {"intercept": 0, "weights": {"cosine": 1}},
        "support": {"intercept": 0, "weights": {"guesswork": 1}, "thresholds": {"strong": 0.8, "weak": 0.3}},
    }
    with pytest.raises(CalibrationError, match="guesswork"):
        parse_calibration(raw)
    with pytest.raises(CalibrationError, match="thresholds"):
        parse_calibration({**raw, "support": {"intercept": 0, "weights": {}}})
