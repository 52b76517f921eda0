"""The query understood once (`AnalysedQuery`) over the mini-corpus, and the priors fusion
draws from it: named documents (their boost, also for clauses that name them) and front matter (title blocks and reference lists) below operative clauses unless
the question asks for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsis_rag.core.vocabulary import ClauseKind, Passage
from wsis_rag.index.analysis import analyse, matched_terms
from wsis_rag.index.columns import PassageColumns
from wsis_rag.index.dictionary import Glossary, chinese_words, english_glosses, generic_words, load_dictionary
from wsis_rag.index.query import QueryOptions
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.search.feedback import FeedbackConfig, cross_lingual_feedback
from wsis_rag.index.times import NamedTimes, named_times


def test_analysed_query_holds_language_mentions_references_and_tokens(mini_retriever: HybridRetriever) -> None:
    q = mini_retriever.analyse_query("What does the Bridges resolution ask of ITU in A/RES/99/7 para 3(a)?")
    assert q.text.startswith("What does") and q.language == "en"
    assert q.named_documents == {"mini-res"}
    assert [(r.doc_id, r.anchor) for r in q.clause_references] == [("mini-res", "para-3-a")]
    # The word name is blanked out of what the signals match; the symbol stays.
    assert "Bridges" not in q.searchable and "A/RES/99/7" in q.searchable
    assert q.bm25_tokens == tuple(analyse(q.searchable))
    assert "sym:99/7" in q.bm25_tokens
    # ITU reaches the Chinese report through the termbase, for BM25 and for the encoder.
    assert "国际电联" in q.expansions and {"国际", "电联"} <= set(q.expansion_tokens)
    assert q.encoder_texts["hash"].startswith(q.searchable) and "国际电联" in q.encoder_texts["hash"]
    assert q.match_tokens == frozenset(q.bm25_tokens) | frozenset(q.expansion_tokens)


def test_chinese_query_is_chinese_and_names_the_report(mini_retriever: HybridRetriever) -> None:
    q = mini_retriever.analyse_query("理事会报告如何看待人工智能治理？")
    assert q.language == "zh" and q.named_documents == {"mini-report"}
    assert "理事会报告" not in q.searchable


def test_options_switch_off_mentions_stripping_and_the_termbase(mini_retriever: HybridRetriever) -> None:
    plain = mini_retriever.with_fusion(termbase=False, strip_mentions=False).analyse_query("Bridges resolution and ITU")
    assert plain.searchable == plain.encoder_texts["hash"] == "Bridges resolution and ITU"
    assert plain.expansions == () and plain.expansion_tokens == ()
    assert plain.named_documents == {"mini-res"}  # still known: the priors use it
    no_dense = mini_retriever.with_fusion(expand_dense=False).analyse_query("ITU")
    assert "国际电联" in no_dense.expansions and no_dense.encoder_texts["hash"] == "ITU"
    assert mini_retriever.fusion.query_options() == QueryOptions()


def test_one_analysis_per_search(mini_retriever: HybridRetriever, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    analyse_query = mini_retriever.analyse_query

    def counting(query: str):  # type: ignore[no-untyped-def]
        calls.append(query)
        return analyse_query(query)

    monkeypatch.setattr(mini_retriever, "analyse_query", counting)
    mini_retriever.search("digital divide in the Council report", k=5)
    assert calls == ["digital divide in the Council report"]


@pytest.mark.parametrize(
    ("query", "asks"),
    [
        ("What does A/RES/99/7 request of ITU?", False),
        ("What is ITU called upon to do?", False),
        ("What is the title of the Bridges resolution?", True),
        ("When was A/RES/99/7 adopted?", True),
        ("Which documents does the Council report list as references?", True),
        ("What sources does the Council report draw on?", True),
        ("Which background papers did the working group consider?", True),
        ("Which resolutions does the report cite?", True),
        ("Under which agenda item was the resolution adopted?", True),
        ("理事会报告的参考文件有哪些？", True),
        ("报告引用了哪些决议？", True),
        ("人工智能治理需要什么？", False),
    ],
)
def test_questions_that_ask_for_front_matter_are_recognised(
    mini_retriever: HybridRetriever, query: str, asks: bool
) -> None:
    assert mini_retriever.analyse_query(query).asks_for_front_matter is asks


def test_front_matter_penalty_lowers_title_blocks_unless_asked_for(mini_retriever: HybridRetriever) -> None:
    penalised = mini_retriever.with_fusion(front_matter_penalty=0.5)
    plain = mini_retriever.with_fusion(front_matter_penalty=0.0)
    query = "building digital bridges"  # the resolution's title, and words of its clauses
    before = {h.passage.id: h.score for h in plain.search(query, k=20)}
    after = {h.passage.id: h.score for h in penalised.search(query, k=20)}
    assert after["mini-res:title"] == pytest.approx(before["mini-res:title"] * 0.5)
    assert after["mini-res:para-2"] == pytest.approx(before["mini-res:para-2"])
    asked = "What is the title of building digital bridges?"
    assert [(h.passage.id, h.score) for h in penalised.search(asked, k=20)] == [
        (h.passage.id, h.score) for h in plain.search(asked, k=20)
    ]


def test_front_matter_is_title_blocks_and_reference_lists(mini_retriever: HybridRetriever) -> None:
    kinds = {p.id: p.is_front_matter for p in mini_retriever.passages}
    assert kinds["mini-res:title"] and kinds["mini-report:title"]
    assert not any(kinds[p.id] for p in mini_retriever.passages if p.kind != ClauseKind.TITLE)


def test_a_clause_naming_the_named_document_by_word_gets_half_the_boost(mini_retriever: HybridRetriever) -> None:
    # s3-p1 of the report names the resolution by its alias, not its symbol.
    query = "Bridges resolution implementation"
    plain = {h.passage.id: h.score for h in mini_retriever.with_fusion(document_boost=0.0).search(query, k=20)}
    boosted = {h.passage.id: h.score for h in mini_retriever.with_fusion(document_boost=0.4).search(query, k=20)}
    unnamed = {
        h.passage.id: h.score
        for h in mini_retriever.with_fusion(document_boost=0.4, cited_by_name=False).search(query, k=20)
    }
    assert boosted["mini-report:s3-p1"] == pytest.approx(plain["mini-report:s3-p1"] * 1.2)
    assert unnamed["mini-report:s3-p1"] == pytest.approx(plain["mini-report:s3-p1"])
    assert boosted["mini-res:para-1"] == pytest.approx(plain["mini-res:para-1"] * 1.4)
    assert boosted["mini-report:s2-p1"] == pytest.approx(plain["mini-report:s2-p1"])


def test_english_ordinals_match_chinese_numbers(mini_retriever: HybridRetriever) -> None:
    assert analyse("the 44th and 43rd meetings") == ["44", "43", "meet"]
    assert {"43", "44"} <= set(analyse("第43和44次会议"))
    assert matched_terms("第44次会议 and the 44th meeting", frozenset(analyse("44th"))) == ["44", "44th"]


def test_cross_lingual_feedback_is_for_queries_the_termbase_does_not_translate(
    mini_retriever: HybridRetriever,
) -> None:
    retriever = mini_retriever  # feedback is on by default
    translated = retriever.analyse_query("ITU and the least developed countries")
    untranslated = retriever.analyse_query("investing in schools")
    english_only = retriever.with_fusion(termbase=False).analyse_query("ITU and the least developed countries")
    assert translated.translated and not untranslated.translated and not english_only.translated
    chinese = [row for row, p in enumerate(retriever.passages) if p.lang == "zh"]
    dense = {"hash": chinese}
    # The words the report's best passages use join the English query's BM25 tokens...
    on, off = FeedbackConfig(), FeedbackConfig(terms=0)
    feedback = cross_lingual_feedback(retriever.rows, untranslated, dense, on)
    report_words = {token for row in chinese for token in analyse(retriever.passages[row].text)}
    assert feedback and set(feedback) <= report_words - set(untranslated.bm25_tokens)
    assert any("\u4e00" <= c <= "\u9fff" for token in feedback for c in token)
    # ...but not where the termbase already gave the Chinese forms, unless asked to.
    assert cross_lingual_feedback(retriever.rows, translated, dense, on) == []
    assert cross_lingual_feedback(retriever.rows, translated, dense, FeedbackConfig(translated=True))
    assert cross_lingual_feedback(retriever.rows, untranslated, dense, off) == []
    zzqx = retriever.analyse_query("zzqx")  # matches nothing
    assert cross_lingual_feedback(retriever.rows, zzqx, dense, on) == []


def test_cross_lingual_feedback_does_not_depend_on_the_order_of_the_signals(
    mini_retriever: HybridRetriever,
) -> None:
    """Two signals that each put another passage first tie; the passage read is the same
    whichever signal's list comes first."""
    retriever = mini_retriever
    query = retriever.analyse_query("investing in schools")
    first, second = [row for row, p in enumerate(retriever.passages) if p.lang == "zh"][:2]
    one = FeedbackConfig(passages=1)
    words = {row: set(analyse(retriever.passages[row].text)) for row in (first, second)}
    assert words[first] != words[second]
    forward = cross_lingual_feedback(retriever.rows, query, {"a": [first], "b": [second]}, one)
    backward = cross_lingual_feedback(retriever.rows, query, {"b": [second], "a": [first]}, one)
    assert forward == backward and set(forward) <= words[first]


def test_front_matter_is_a_column_and_an_older_index_still_answers(
    mini_passages: list[Passage], tmp_path: Path
) -> None:
    columns = PassageColumns.from_passages(mini_passages)
    expected = [p.is_front_matter for p in mini_passages]
    assert any(expected) and not all(expected)
    columns.save(tmp_path / "columns.npz")
    loaded = PassageColumns.load(tmp_path / "columns.npz")
    rows = range(len(mini_passages))
    assert [loaded.front_matter_test(mini_passages)(row) for row in rows] == expected
    # An index built before the column existed: each passage is tested when asked about.
    older = PassageColumns({k: v for k, v in loaded.fields.items() if k != "front_matter"})
    assert [older.front_matter_test(mini_passages)(row) for row in rows] == expected


def test_the_years_and_sessions_a_question_names() -> None:
    assert named_times("What did the 2024 resolution on ICTs say?") == NamedTimes(
        years=frozenset({2024}), document_years=frozenset({2024})
    )
    # A year that dates an event is named, but gives no document its date.
    event = named_times("What did ministers stress at the 2025 high-level event?")
    assert event.years == {2025} and not event.document_years
    assert named_times("托克劳问题决议（2025年）要求什么？").document_years == {2025}
    assert named_times("2025年叙利亚人权状况决议欢迎什么？").document_years == {2025}
    assert named_times("the resolution adopted in 2024").document_years == {2024}
    assert named_times("at its seventy-ninth session") == NamedTimes(sessions=frozenset({79}))
    assert named_times("the eightieth session and the 78th session") == NamedTimes(sessions=frozenset({78, 80}))
    assert named_times("第七十九届会议通过的决议") == NamedTimes(sessions=frozenset({79}))
    assert named_times("第80届会议") == NamedTimes(sessions=frozenset({80}))
    # Lists: every year and session of "the 2023 and 2024 resolutions" dates a document.
    assert named_times("between the 2023 and 2024 resolutions on radiation").document_years == {2023, 2024}
    assert named_times("the resolutions of 2023, 2024 and 2025").document_years == {2023, 2024, 2025}
    assert named_times("2023年和2024年的决议").document_years == {2023, 2024}
    assert named_times("its seventy-eighth and seventy-ninth sessions").sessions == {78, 79}
    assert named_times("the 78th, 79th and 80th sessions").sessions == {78, 79, 80}
    # A period dates one document: "2024–2034" is not a second year of a document.
    assert named_times("the 2024–2034 programme for landlocked countries").document_years == {2024}
    assert not named_times("the 2030 Agenda for Sustainable Development")
    assert not named_times("What does A/RES/80/173 assign to ITU?")


def test_chinese_words_are_carried_into_english_for_bm25(mini_retriever: HybridRetriever) -> None:
    dictionary = load_dictionary()
    # Longest match first; a compound the dictionary lacks falls apart into words it has.
    assert chinese_words("托克劳问题决议", dictionary) == ["托克劳", "问题", "决议"]
    assert chinese_words("网络犯罪", dictionary) == ["网络", "犯罪"]
    assert {"Tokelau", "outer space"} <= set(english_glosses("托克劳和外层空间"))
    assert english_glosses("no Chinese here") == [] and english_glosses("国") == []  # no single characters
    analysed = mini_retriever.analyse_query("外层空间决议")
    assert "outer space" in analysed.glosses and {"outer", "space"} <= set(analysed.bm25_tokens)
    assert mini_retriever.analyse_query("outer space resolution").glosses == ()  # English is not glossed
    off = mini_retriever.with_fusion(dictionary=False).analyse_query("外层空间决议")
    assert off.glosses == () and "outer" not in off.bm25_tokens


def test_a_chinese_everyday_word_is_left_to_its_glosses_where_chinese_is_a_minority() -> None:
    # 国际 ("international") and 山羊 ("goat", "small-sized vaulting horse") in an
    # index of 10,000 passages whose English text says "international" in 2,000.
    frequency = {"国际": 3, "山羊": 3, "internat": 2000, "goat": 2, "small": 900, "vault": 1, "hors": 5}

    def generic(chinese_passages: int) -> frozenset[str]:
        counts = {**frequency, "国际": chinese_passages}
        return generic_words(
            ["国际", "际山", "山羊", "goat"], analyse, lambda ts: {t: counts.get(t, 0) for t in ts}, 10_000
        )

    assert generic(3) == {"国际"}  # "goat" is rare in English too: 山羊 keeps its weight
    assert generic(500) == frozenset()  # Chinese text says it in a quarter as many passages


def test_a_headword_without_a_usable_gloss_is_not_in_the_glossary() -> None:
    glossary = Glossary({"甲乙": ["variant of 丙丁"], "丙丁": ["to ratify", "CL:個"], "戊己": []})
    assert "甲乙" not in glossary and "戊己" not in glossary and "丙丁" in glossary
    assert glossary["丙丁"] == ["ratify"] and list(glossary) == ["丙丁"] and len(glossary) == 1
    assert chinese_words("甲乙丙丁", glossary) == ["丙丁"]  # no match stops at a word without a gloss
