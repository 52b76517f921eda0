"""The query understood once (`AnalysedQuery`), the terms a result matched, and the order of
results a reader wants: operative clauses above title blocks and reference lists."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.corpus.manifest import load_manifest
from wsis_rag.eval import rerank_calibration
from wsis_rag.eval.questions import load_questions
from wsis_rag.index.analysis import analyse, matched_terms
from wsis_rag.index.query import QueryAnalyser, QueryOptions
from wsis_rag.index.references import DocumentMentions
from wsis_rag.index.results import SearchResult
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.search.rerank import RERANK_FEATURES, parse_rerank_model


@pytest.fixture(scope="module")
def analyser() -> QueryAnalyser:
    return QueryAnalyser(DocumentMentions([e.meta for e in load_manifest().documents]), {"en", "zh"})


def test_analysed_query_holds_mentions_references_tokens_and_encoder_texts(analyser: QueryAnalyser) -> None:
    q = analyser.analyse(
        "What does the Council report say about ITU's role? See GDC para 23(a).",
        {"e5": None, "minilm": frozenset({"en"})},
    )
    assert q.language == "en"
    assert q.named_documents == {"council-report-2026", "gdc"}
    assert [(r.doc_id, r.anchor) for r in q.clause_references] == [("gdc", "para-23-a")]
    # The word names of named documents are blanked out of what the signals match.
    assert "Council report" not in q.searchable and "GDC" not in q.searchable
    assert q.bm25_tokens == tuple(analyse(q.searchable))
    # The termbase carries ITU (and the report's name) into Chinese, for BM25 and for the
    # multilingual encoder; the English-only encoder gets no Chinese.
    assert "国际电联" in q.expansions
    assert {"国际", "电联"} <= set(q.expansion_tokens)
    assert "国际电联" in q.encoder_texts["e5"]
    assert "国际电联" not in q.encoder_texts["minilm"]
    assert q.encoder_texts["minilm"].startswith(q.searchable)


def test_termbase_off_leaves_the_query_as_typed(analyser: QueryAnalyser) -> None:
    q = analyser.analyse("ITU and UNGIS", {"e5": None}, QueryOptions(termbase=False))
    assert q.expansions == () and q.expansion_tokens == ()
    assert q.encoder_texts["e5"] == q.searchable == "ITU and UNGIS"


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("各国如何合作打击网络犯罪？", "cybercrime"),
        ("成果文件对电子废物有何关切？", "electronic waste"),
        ("契约如何应对网上仇恨言论？", "hate speech"),
    ],
)
def test_ict_policy_words_the_dictionary_lacks_reach_the_signals_in_english(
    analyser: QueryAnalyser, question: str, english: str
) -> None:
    # CC-CEDICT has no entry for these policy words and glosses their parts ("network" +
    # "crime"); the termbase gives BM25 and the encoders the words the resolutions use.
    q = analyser.analyse(question, {"e5": None})
    assert set(analyse(english)) <= set(q.expansion_tokens), q.expansion_tokens
    assert english in q.encoder_texts["e5"]


@pytest.mark.parametrize("name", ["the Digital Compact", "数字契约", "《全球数字契约》"])
def test_the_compact_is_named_with_or_without_global(analyser: QueryAnalyser, name: str) -> None:
    assert analyser.analyse(f"{name} 自愿认可", {}).named_documents == {"gdc"}


def test_chinese_query_with_symbols_and_latin_tokens(analyser: QueryAnalyser) -> None:
    q = analyser.analyse("A/RES/80/173号决议对UNGIS有何要求？", {})
    assert q.language == "zh"
    assert {"sym:80/173", "ungi"} <= set(q.bm25_tokens)
    assert "a-res-80-173" in q.named_documents


@pytest.mark.parametrize(
    ("query", "asks"),
    [
        ("What does A/RES/80/173 assign to ITU?", False),
        ("What is the title of A/RES/80/173?", True),
        ("When was the WSIS+20 outcome adopted?", True),
        ("Which documents does the Council report list as references?", True),
        ("理事会报告的参考文件有哪些？", True),
    ],
)
def test_questions_that_ask_for_front_matter_are_recognised(analyser: QueryAnalyser, query: str, asks: bool) -> None:
    assert analyser.analyse(query, {}).asks_for_front_matter is asks


def test_matched_terms_are_the_surface_forms_in_the_text() -> None:
    tokens = frozenset(analyse("ITU assigns roles under resolution 80/173") + ["国际", "际电", "电联"])
    text = "A/RES/80/173 assigned a role to ITU; 国际电联的作用 and the Union's roles."
    assert matched_terms(text, tokens) == ["A/RES/80/173", "assigned", "role", "ITU", "国际电联", "roles"]
    assert matched_terms("nothing here", tokens) == []


def test_one_analysis_per_search(retriever: HybridRetriever, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = retriever._analyser.analyse

    def counting(query: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(query)
        return original(query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(retriever._analyser, "analyse", counting)
    retriever.search("What does the Council report say about WSIS?", k=5)
    assert calls == ["What does the Council report say about WSIS?"]


def test_results_carry_the_terms_they_matched(retriever: HybridRetriever) -> None:
    hits = retriever.search("ITU role in WSIS implementation", k=10)
    assert all(term in hit.passage.text for hit in hits for term in hit.matched_terms)
    chinese = [h for h in hits if h.passage.lang == "zh"]
    assert chinese and any("国际电联" in h.matched_terms for h in chinese)
    assert SearchResult.from_hit(hits[0]).matched_terms == hits[0].matched_terms


def test_operative_clauses_outrank_title_blocks_and_reference_lists(retriever: HybridRetriever) -> None:
    hits = retriever.search("What does A/RES/80/173 assign to ITU?", k=10)
    first_front = min((h.rank for h in hits if h.passage.is_front_matter), default=11)
    assert first_front > 5, [(h.rank, h.passage.id) for h in hits]
    assert hits[0].passage.kind in {"paragraph", "section-paragraph"}
    # It is the front-matter prior that keeps them down: without it they rank higher.
    plain = retriever.with_fusion(front_matter_penalty=0.0).search("What does A/RES/80/173 assign to ITU?", k=10)
    assert min((h.rank for h in plain if h.passage.is_front_matter), default=11) < first_front


@pytest.mark.parametrize(
    "query",
    [
        "What is the title and date of A/RES/80/173?",
        "Which reference documents does the Council report list?",
        "Which background documents does the Council report cite?",
    ],
)
def test_front_matter_keeps_its_place_when_asked_for(retriever: HybridRetriever, query: str) -> None:
    plain = retriever.with_fusion(front_matter_penalty=0.0)
    ranked = [(h.passage.id, h.score) for h in retriever.search(query, k=10)]
    assert ranked == [(h.passage.id, h.score) for h in plain.search(query, k=10)]
    assert any(retriever.get(pid).is_front_matter for pid, _ in ranked[:5])


def test_the_lower_places_follow_the_clauses_best_sentences(retriever: HybridRetriever, dev_set: Path) -> None:
    # The real index stores every quotable sentence's e5 vector: below the first five places,
    # a clause whose best sentence is close to the question may climb; the first five stay
    # (before the rerank stage, which orders the whole first page).
    retriever = retriever.with_fusion(rerank=False)
    off = retriever.with_fusion(sentence_weight=0.0)
    moved = 0
    for question in load_questions(dev_set):
        hits, plain = retriever.search(question.query, k=30), off.search(question.query, k=30)
        ids, plain_ids = [h.passage.id for h in hits], [h.passage.id for h in plain]
        assert ids[:5] == plain_ids[:5] and sorted(ids) == sorted(plain_ids), question.query
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        moved += ids[:10] != plain_ids[:10]
    assert moved, "no question's first page changed"


def test_the_rerank_stage_orders_the_first_page_it_is_given(retriever: HybridRetriever, dev_set: Path) -> None:
    # On the real index the model reorders the first ten places (after a referenced clause)
    # and nothing else: the page holds the same clauses, the places below it do not move.
    fused = retriever.with_fusion(rerank=False)
    moved = 0
    for question in load_questions(dev_set):
        hits, plain = retriever.search(question.query, k=15), fused.search(question.query, k=15)
        ids, plain_ids = [h.passage.id for h in hits], [h.passage.id for h in plain]
        assert sorted(ids[:10]) == sorted(plain_ids[:10]) and ids[10:] == plain_ids[10:], question.query
        assert [h.score for h in hits] == [h.score for h in plain]  # each place keeps its score
        moved += ids[:10] != plain_ids[:10]
    assert moved, "no question's first page changed"


def test_the_rerank_calibration_fits_and_writes_a_model_the_stage_reads(
    built_index: Settings, dev_set: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command end to end on the real index and the shared dev set's dev split: the file
    # it writes parses, weighs only known features with their signs, and records its fit.
    out = tmp_path / "rerank.toml"
    rerank_calibration.main(["--index", str(built_index.index_dir), "--set", f"dev={dev_set}", "--out", str(out)])
    model = parse_rerank_model(tomllib.loads(out.read_text(encoding="utf-8")))
    assert model.weights and all(RERANK_FEATURES[name] * weight >= 0 for name, weight in model.weights.items())
    header = out.read_text(encoding="utf-8").split("[rerank]")[0]
    assert "rerank_calibration --index" in header and "by 5-fold cross-validation" in header
    printed = capsys.readouterr().out
    assert f"dev on {built_index.index_dir}" in printed and f"written to {out}" in printed


def test_a_named_documents_name_does_not_name_further_documents_by_title(retriever: HybridRetriever) -> None:
    # "WSIS+20成果文件" names A/RES/80/173; the termbase's expansion of its "WSIS" (World
    # Summit on the Information Society) must not make every WSIS resolution's title a name
    # the question uses. The same term said outside a name still counts.
    named = retriever.analyse_query("WSIS+20成果文件对国际电联提出了哪些请求？")
    assert named.named_documents == {"a-res-80-173"}
    assert "summit" in named.match_tokens and "summit" not in named.title_tokens
    unnamed = retriever.analyse_query("What do the General Assembly's WSIS resolutions ask of ITU?")
    assert "summit" in unnamed.title_tokens
