"""Each search stage (index/search/) through its public function, on the mini-corpus."""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import numpy as np

from wsis_rag.core.vocabulary import DocType, DocumentMeta
from wsis_rag.index.analysis import analyse
from wsis_rag.index.query import spelled_out
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.search.focus import FocusConfig, focus_rows, likely_focus_rows, merge_focus
from wsis_rag.index.search.fusion import SignalWeights, fused_scores
from wsis_rag.index.search.grouping import collapse_groups
from wsis_rag.index.search.pinning import clause_rows, pin_named_clauses
from wsis_rag.index.search.priors import CitingClauses, DocumentPriors, PriorConfig, PriorStrengths, apply_priors
from wsis_rag.index.search.sentences import SentenceConfig, best_sentence_similarity, rerank_by_sentences
from wsis_rag.index.search.signals import SearchRound, SignalLists, signal_lists
from wsis_rag.index.search.titles import TitleConfig, TitleIndex, title_acronyms


def _row(retriever: HybridRetriever, passage_id: str) -> int:
    return next(i for i, p in enumerate(retriever.passages) if p.id == passage_id)


def test_signal_lists_embed_once_and_expand_bm25_from_the_dense_lists(mini_retriever: HybridRetriever) -> None:
    analysed = mini_retriever.analyse_query("least developed countries")
    vectors: dict[str, np.ndarray] = {}
    seen: list[dict[str, list[int]]] = []

    def expansion(dense: dict[str, list[int]]) -> list[str]:
        seen.append(dict(dense))
        return ["学校"]

    def embed(signal: str, text: str) -> np.ndarray:
        return mini_retriever.encoder(signal).embed_queries([text])[0]

    clock: dict[str, float] = {}
    rows = mini_retriever.rows
    lists = signal_lists(rows, analysed, ["bm25", "hash"], vectors, embed, 5, SearchRound(None, expansion), clock)
    assert set(lists.rankings) == {"bm25", "hash"} and "hash" in vectors and seen[0]["hash"] == lists.rankings["hash"]
    assert lists.expansion == ["学校"] and {"embed:hash", "faiss", "bm25"} <= set(clock)
    # The expansion token reaches BM25: the Chinese clause on schools is a candidate.
    assert _row(mini_retriever, "mini-report:s2-p2") in lists.rankings["bm25"]
    # Within allowed rows only, and the query vector is reused (no second embedding).
    allowed = np.array(sorted(mini_retriever.rows.columns.doc_rows("mini-res")))
    within = SearchRound(allowed, lists.expansion)
    again = signal_lists(rows, analysed, ["bm25", "hash"], vectors, embed, 5, within, {})
    assert all(row in allowed for ranked in again.rankings.values() for row in ranked)


def test_fusion_weighs_other_language_rows_by_the_cross_lingual_weight(mini_retriever: HybridRetriever) -> None:
    analysed = mini_retriever.analyse_query("digital divide")
    en, zh = _row(mini_retriever, "mini-res:para-2"), _row(mini_retriever, "mini-report:s1-p1")
    lists = SignalLists({"hash": [en, zh]}, {"hash": [0.9, 0.8]}, [])
    plain = fused_scores(mini_retriever.rows, analysed, lists, SignalWeights())
    lifted = fused_scores(mini_retriever.rows, analysed, lists, SignalWeights(cross_lingual={"hash": 3.0}))
    assert plain[en] > plain[zh] and lifted[zh] > lifted[en] and lifted[en] == plain[en]


def test_priors_favour_the_named_document_and_push_front_matter_down(mini_retriever: HybridRetriever) -> None:
    rows = mini_retriever.rows
    citing = CitingClauses(rows, mini_retriever.catalog, mini_retriever._analyser.mentions)
    priors = DocumentPriors(mini_retriever.documents, curated=[])
    title, para, cites = (_row(mini_retriever, i) for i in ("mini-res:title", "mini-res:para-1", "mini-report:s1-p2"))
    other = _row(mini_retriever, "mini-report:s2-p1")
    named = mini_retriever.analyse_query("What does A/RES/99/7 decide?")
    fused = dict.fromkeys((title, para, cites, other), 1.0)
    config = PriorConfig(document_boost=0.6, front_matter_penalty=0.5)
    apply_priors(rows, named, fused, config, citing, priors)
    assert fused[para] == 1.6 and fused[cites] == 1.3 and fused[other] == 1.0 and fused[title] == 1.6 * 0.5
    asks_title = mini_retriever.analyse_query("What is the title of A/RES/99/7?")
    fused = dict.fromkeys((title,), 1.0)
    apply_priors(rows, asks_title, fused, config, citing, priors)
    assert fused[title] == 1.6


def test_the_rows_that_may_cite_a_document_hold_every_row_that_cites_it_and_few_others(
    mini_retriever: HybridRetriever,
) -> None:
    rows = mini_retriever.rows
    citing = CitingClauses(rows, mini_retriever.catalog, mini_retriever._analyser.mentions)
    for doc in mini_retriever.documents:
        symbols = citing.document_symbols(doc.id)
        cite = {
            row for row in range(rows.size) if rows.symbols_of_row[row] & symbols or citing.names_by_word(row, doc.id)
        }
        may = citing.rows_that_may_cite([doc.id])
        assert may is not None and cite <= may, doc.id
    # Read from the postings: the report's clause citing A/RES/99/7 may, a clause that
    # names no document may not.
    may = citing.rows_that_may_cite(["mini-res"])
    assert may is not None
    assert _row(mini_retriever, "mini-report:s1-p2") in may and _row(mini_retriever, "mini-report:s2-p1") not in may


def test_equally_covered_titles_rank_the_same_in_every_process() -> None:
    # Three titles the question covers wholly: their shares are equal, in whatever order a
    # process's string hashing lists the question's words, so the ids break the tie.
    script = (
        "from wsis_rag.core.vocabulary import DocumentMeta\n"
        "from wsis_rag.index.analysis import analyse\n"
        "from wsis_rag.index.search.titles import TitleConfig, TitleIndex\n"
        "titles = ['golf alpha kilo bravo', 'alpha bravo hotel', 'kilo charlie echo bravo golf delta',\n"
        "          'foxtrot bravo', 'hotel bravo juliet india kilo charlie']\n"
        "docs = [DocumentMeta(id=f'd{i}', symbol=f'A/RES/1/{i}', short=f'd{i}', title=t, body='UN General Assembly',\n"
        "                     type='resolution', date='2020-01-01', lang='en') for i, t in enumerate(titles)]\n"
        "query = analyse('alpha foxtrot bravo kilo charlie juliet hotel india')\n"
        "print(TitleIndex(docs).covered(query, TitleConfig(0.5, 3)))\n"
    )
    found = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(8)
    }
    assert found == {"['d1', 'd3', 'd4']"}


def test_focus_is_the_first_documents_and_off_on_a_small_index(mini_retriever: HybridRetriever) -> None:
    rows = mini_retriever.rows
    analysed = mini_retriever.analyse_query("digital divide")
    en = _row(mini_retriever, "mini-res:para-2")
    lists = SignalLists({"hash": [en]}, {"hash": [1.0]}, [])
    on = FocusConfig(documents=1, per_signal=0)
    focus = focus_rows(rows, analysed, {en: 1.0}, lists, None, 99, on)
    assert focus is not None and set(focus.tolist()) == set(rows.columns.doc_rows("mini-res").tolist())
    assert focus_rows(rows, analysed, {en: 1.0}, lists, None, 1, on) is None  # no more documents than wanted
    assert focus_rows(rows, analysed, {en: 1.0}, lists, None, 99, FocusConfig()) is None  # off
    fused, ranks = {en: 0.5}, {"hash": {en: 7}}
    merge_focus(fused, ranks, {en: 0.9}, SignalLists({"hash": [en]}, {"hash": [0.9]}, []))
    assert fused[en] == 0.9 and ranks["hash"][en] == 1


def test_likely_focus_rows_are_the_named_then_the_dense_lists_documents_within_the_budget(
    mini_retriever: HybridRetriever,
) -> None:
    rows = mini_retriever.rows
    report, resolution = (set(rows.columns.doc_rows(doc).tolist()) for doc in ("mini-report", "mini-res"))
    named = mini_retriever.analyse_query("What does A/RES/99/7 decide?")
    dense = {"hash": [_row(mini_retriever, "mini-report:s2-p1")]}

    def likely(config: FocusConfig, allowed: np.ndarray | None = None) -> set[int] | None:
        found = likely_focus_rows(rows, named, dense, allowed, 99, config)
        return None if found is None else set(found.tolist())

    assert likely(FocusConfig(documents=1, prefetch_rows=rows.size)) == report | resolution  # all fit
    # One document's worth: the named one before the dense lists' first.
    assert likely(FocusConfig(documents=1, prefetch_rows=len(resolution))) == resolution
    # The named one does not fit in a smaller budget; the next document that does is taken.
    assert len(report) < len(resolution) and likely(FocusConfig(documents=1, prefetch_rows=len(report))) == report
    allowed = np.array(sorted(report), dtype=np.int64)
    assert likely(FocusConfig(documents=1, prefetch_rows=len(report)), allowed) == report  # within the filter
    assert likely(FocusConfig(documents=1, prefetch_rows=0)) is None  # off
    assert likely(FocusConfig(documents=1, prefetch_rows=rows.size, idf=False)) is None  # the focus BM25 needs all
    assert likely(FocusConfig(prefetch_rows=rows.size)) is None  # no focus round


def test_pinning_puts_named_clauses_first_with_their_subclauses(mini_retriever: HybridRetriever) -> None:
    rows = mini_retriever.rows
    para3 = [mini_retriever.passages[r].id for r in clause_rows(rows, "mini-res", "para-3")]
    assert para3 == ["mini-res:para-3", "mini-res:para-3-a", "mini-res:para-3-b"]
    analysed = mini_retriever.analyse_query("A/RES/99/7 para 3")
    other = _row(mini_retriever, "mini-res:para-1")
    fused = {other: 5.0}
    pin_named_clauses(rows, analysed, fused, None)
    best = max(fused, key=fused.__getitem__)
    assert mini_retriever.passages[best].id == "mini-res:para-3"


def test_grouping_shows_one_row_per_group(mini_retriever: HybridRetriever) -> None:
    rows = copy.copy(mini_retriever.rows)
    rows.group_of_row = [0, 0, 1, *range(2, rows.size - 1)]  # rows 0 and 1 near-identical
    ranked = [(1, 3.0), (0, 2.0), (2, 1.0), (3, 0.5)]
    assert [r for r, _ in collapse_groups(rows, ranked, 2)] == [1, 2]
    assert [r for r, _ in collapse_groups(mini_retriever.rows, ranked, 2)] == [1, 0]


def _resolution(doc_id: str, title: str) -> DocumentMeta:
    """A resolution known by its id and title (what the title index reads)."""
    return DocumentMeta(
        id=doc_id, symbol=doc_id.upper(), short=doc_id, title=title, body="UN General Assembly", type=DocType.RESOLUTION
    )


def test_a_title_s_telling_words_name_its_document() -> None:
    doc = _resolution

    titles = TitleIndex(
        [
            doc("pact", "79/1. The Pact for the Future"),
            # The Convention's title as adopted, in two parts: its name is the first.
            doc(
                "cyber",
                "79/243. United Nations Convention against Cybercrime; Strengthening International Cooperation for "
                "Combating Certain Crimes Committed by Means of Information and Communications Technology Systems "
                "and for the Sharing of Evidence in Electronic Form of Serious Crimes",
            ),
            doc("sea", "79/144. Oceans and the law of the sea"),
            doc("zone", "78/13. Implementation of the Declaration of the Indian Ocean as a Zone of Peace"),
            doc("volunteers", "78/127. International Year of Volunteers for Sustainable Development"),
            # "United Nations" is in many titles: it names none of them.
            doc("au", "Cooperation between the United Nations and the African Union"),
            doc("unctad", "United Nations Conference on Trade and Development"),
            doc("un-day", "United Nations Day"),
            doc("torture", "Convention against Torture"),
        ]
    )
    on = TitleConfig(coverage=0.5)

    def covered(question: str, config: TitleConfig = on) -> list[str]:
        return titles.covered(analyse(question), config)

    assert covered("What does the Pact for the Future say about outer space?") == ["pact"]
    assert covered("Can the Cybercrime Convention's points of contact use INTERPOL?") == ["cyber"]
    assert covered("What is the Indian Ocean Zone of Peace declaration about?") == ["zone"]
    assert covered("What does the ocean declaration ask of States?") == []  # one common word is not a name
    assert covered("the Pact and the Convention against Cybercrime", TitleConfig(0.5, documents=1)) == ["cyber"]
    assert covered("What does the Pact for the Future say?", TitleConfig()) == []  # off


def test_a_title_that_is_an_acronym_s_name_is_named_only_by_the_question_s_own_words() -> None:
    summit = "World Summit on the Information Society"
    titles = TitleIndex(
        [
            _resolution("wsis-59", f"59/220. {summit}"),
            _resolution("wsis-60", f"60/252. {summit}"),
            _resolution("ict", "79/194. Information and communications technologies for sustainable development"),
        ],
        terms={"WSIS"},
        term_names=[summit],
    )
    on = TitleConfig(coverage=0.5)
    # "the WSIS+20 text": the termbase's forms of WSIS are its expansion, not its words.
    own = analyse("the WSIS+20 text")
    expanded = [*own, *analyse(summit)]
    assert titles.covered(expanded, on, own_tokens=own) == []
    assert titles.covered(expanded, on) == ["wsis-59", "wsis-60"]  # every token taken as the question's own
    # Written out by the question, the title names its documents.
    written = analyse(f"the {summit} resolutions")
    assert titles.covered(written, on, own_tokens=written) == ["wsis-59", "wsis-60"]
    # A title that is more than a term is named through the expansion as before.
    question = analyse("ICT for sustainable development resolution")
    expansion = [*question, *analyse("information and communications technologies")]
    assert titles.covered(expansion, on, own_tokens=question) == ["ict"]


def test_a_title_names_its_documents_by_the_acronyms_of_its_names() -> None:
    undof = "United Nations Disengagement Observer Force"
    assert title_acronyms(f"79/307. Financing of the {undof}")["UNDOF"] == undof
    mission = title_acronyms("Financing of the United Nations Mission in South Sudan")
    assert mission["UNMISS"] == mission["UNMSS"] == "United Nations Mission in South Sudan"  # "in" taken or left
    assert "UNISFA" in title_acronyms("Financing of the United Nations Interim Security Force for Abyei")
    assert not title_acronyms("Oceans and the law of the sea")  # no run of capitalised words

    doc = _resolution

    titles = TitleIndex(
        [
            doc("undof-78", f"78/304. Financing of the {undof}"),
            doc("undof-79", f"79/307. Financing of the {undof}"),
            doc("unmiss", "79/309. Financing of the United Nations Mission in South Sudan"),
            doc("itu", "International Telecommunication Union Plenipotentiary Resolution 140"),
            doc("hr-a", "Situation of Human Rights in Myanmar"),
            doc("hr-b", "Situation of Human Rights in the Syrian Arab Republic"),
            doc("hr-c", "Situation of Human Rights in Iran"),
        ],
        terms={"ITU"},
    )
    on = TitleConfig(coverage=0.5)

    def named(text: str, config: TitleConfig = on) -> list[tuple[str, tuple[str, ...]]]:
        return [(a.acronym, a.documents) for a in titles.acronyms(text, config)]

    # Both sessions of a recurring title; in the order the question names them.
    assert named("UNMISS and UNDOF budgets for 2025/26") == [
        ("UNMISS", ("unmiss",)),
        ("UNDOF", ("undof-78", "undof-79")),
    ]
    assert titles.acronyms("the UNDOF budget", on)[0].name == undof
    assert named("What does the ITU resolution say?") == []  # a term, not a name
    assert named("SHR in three countries") == []  # three titles: not specific
    assert named("undof budget") == []  # an acronym is written in capitals
    assert named("UNDOF budget", TitleConfig()) == []  # off


def test_a_question_s_acronyms_are_spelled_out_for_the_signals(mini_retriever: HybridRetriever) -> None:
    analysed = mini_retriever.analyse_query("UNDOF budget")
    spelled = spelled_out(analysed, ["United Nations Disengagement Observer Force"])
    assert spelled.bm25_tokens[: len(analysed.bm25_tokens)] == analysed.bm25_tokens
    assert {"disengag", "observ", "forc"} <= set(spelled.bm25_tokens) - set(analysed.bm25_tokens)
    assert all(
        text.endswith("\nUnited Nations Disengagement Observer Force") for text in spelled.encoder_texts.values()
    )
    assert spelled_out(analysed, []) is analysed


def test_the_curated_bonus_goes_only_to_rows_a_signal_is_sure_of(mini_retriever: HybridRetriever) -> None:
    rows = mini_retriever.rows
    citing = CitingClauses(rows, mini_retriever.catalog, mini_retriever._analyser.mentions)
    priors = DocumentPriors(mini_retriever.documents, curated=["mini-report"])
    sure, unsure = _row(mini_retriever, "mini-report:s1-p1"), _row(mini_retriever, "mini-report:s2-p1")
    other = _row(mini_retriever, "mini-res:para-2")
    analysed = mini_retriever.analyse_query("digital divide")
    strengths = PriorStrengths(curated_boost=0.5)
    fused = dict.fromkeys((sure, unsure, other), 1.0)
    ranked = {"hash": [other, sure, unsure]}
    apply_priors(rows, analysed, fused, PriorConfig(collection=strengths, curated_rank=2), citing, priors, ranked)
    assert (fused[sure], fused[unsure], fused[other]) == (1.5, 1.0, 1.0)
    fused = dict.fromkeys((sure, unsure, other), 1.0)
    apply_priors(rows, analysed, fused, PriorConfig(collection=strengths), citing, priors, ranked)  # ungated
    assert (fused[sure], fused[unsure], fused[other]) == (1.5, 1.5, 1.0)


def test_the_lower_places_are_ordered_again_by_the_clauses_best_sentences() -> None:
    ranked = [(row, 1.0 - row / 100) for row in range(10)]  # row r at place r + 1
    # Row 7's best sentence is the closest to the query, row 9's the next; the others far.
    similarity = {7: 0.9, 9: 0.8}
    config = SentenceConfig(keep=3, candidates=8, weight=1.0)
    moved = rerank_by_sentences(ranked, lambda row: similarity.get(row, 0.1), config)
    assert [row for row, _ in moved[:3]] == [0, 1, 2]  # the first places stay
    # Row 7 climbs from place 8 to place 6: 1/(60 + 5) + 1/(60 + 1) beats every row below
    # place 5 (1/(60 + 3) + 1/(60 + 4) for row 5), not rows 3 and 4, whose places count too.
    assert [row for row, _ in moved[3:8]] == [3, 4, 7, 5, 6]
    assert moved[8:] == ranked[8:]  # row 9 is no candidate: it keeps its place
    assert [score for _, score in moved] == [score for _, score in ranked]  # scores still fall with rank
    assert rerank_by_sentences(ranked, lambda row: 0.0, SentenceConfig(3, 8, 0.0)) == ranked  # off
    # A clause without sentence vectors has none close to the query.
    query = np.array([1.0, 0.0])
    assert best_sentence_similarity(np.array([[0.6, 0.8], [1.0, 0.0]]), query) == 1.0
    assert best_sentence_similarity(None, query) == -1.0
