"""Extractive answers over HTTP on the index `./run.sh` builds (the ten documents the
answers' calibration is fitted on): verbatim sentences of cited clauses, markers that
resolve, the named document's clauses first, questions the corpus does not answer
declined, a two-part question answered per part."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from wsis_rag.core.sentences import split_sentences
from wsis_rag.core.settings import Settings
from wsis_rag.index.api import load_retriever
from wsis_rag.products.answers.answer import NOT_FOUND_ANSWER
from wsis_rag.products.answers.sentences import content_terms, lexical_overlap
from wsis_rag.service.app import create_app

ITU_QUESTION = "What does A/RES/80/173 assign to ITU?"
MARKER = re.compile(r" ?\[(\d+)\]")


@pytest.fixture(scope="module")
def client(ten_document_index: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(ten_document_index, load_retriever(ten_document_index))) as test_client:
        yield test_client


def ask(client: TestClient, question: str, **fields: object) -> dict:
    response = client.post("/ask", json={"question": question, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def assert_markers_resolve(body: dict) -> None:
    """Every `[n]` of the answer resolves to a cited clause whose text holds its sentence
    verbatim; the answer is exactly those sentences and markers."""
    cited = {c["n"]: c for c in body["citations"]}
    parts = MARKER.split(body["answer"])
    pairs = [(parts[i].strip(), int(parts[i + 1])) for i in range(0, len(parts) - 1, 2)]
    assert pairs and [(s["text"], s["n"]) for s in body["sentences"]] == pairs
    for sentence, n in pairs:
        assert sentence in cited[n]["text"], (sentence, cited[n]["id"])
    assert body["answer"] == " ".join(f"{s} [{n}]" for s, n in pairs)
    assert all(c["label"] == c["citation"]["label"] for c in body["citations"])


def test_sentences_are_verbatim_and_keep_abbreviations(client: TestClient, ten_document_index: Settings) -> None:
    retriever = load_retriever(ten_document_index)
    para = retriever.get("a-res-80-173:para-121").text
    sentences = split_sentences(para)
    assert sentences and all(s in para for s in sentences)
    text = "We recall para. 3 of the resolution. We request ITU, e.g. its Council, to act; and report."
    assert split_sentences(text) == [
        "We recall para. 3 of the resolution.",
        "We request ITU, e.g. its Council, to act;",
        "and report.",
    ]
    chinese = retriever.get("council-report-2026:s7-p3").text
    pieces = split_sentences(chinese)
    assert len(pieces) >= 1 and all(p in chinese for p in pieces) and pieces[0].endswith("。")


def test_lexical_overlap_counts_content_terms() -> None:
    terms = content_terms("What does A/RES/80/173 assign to ITU at its 44th meeting?")
    assert terms == {"A/RES/80/173", "assign", "ITU", "44th", "meeting"}
    assert lexical_overlap(terms, "the outcome (A/RES/80/173) asks ITU to ... assigned") == pytest.approx(3 / 5)
    # Across languages, through the termbase and ordinal numbers.
    assert lexical_overlap(terms, "国际电联第44次会议") == pytest.approx(3 / 5)
    # A Chinese question's terms are its dictionary words, less the words that frame the
    # question, found in English text through their glosses.
    chinese = content_terms("《全球数字契约》关于数据标准的内容是什么？")
    assert {"数据", "标准", "契约"} <= chinese and not chinese & {"什么", "关于", "内容"}
    clause = "(a) Develop data and metadata standards designed to prevent and address discrimination"
    assert lexical_overlap({"数据", "标准", "宽带"}, clause) == pytest.approx(2 / 3)


def test_the_flagship_question_answers_with_the_named_documents_clauses_first(client: TestClient) -> None:
    body = ask(client, ITU_QUESTION)
    assert body["found"] is True and body["support"] in ("strong", "weak"), body
    assert_markers_resolve(body)
    ids = [c["id"] for c in body["citations"]]
    assert ids[0].startswith("a-res-80-173:") and "a-res-80-173:para-121" in ids, ids
    assert body["sentences"][0]["lang"] == "en"  # no Chinese sentence first
    # Its own clauses answer, the others follow as context; languages never interleave.
    roles = [s["role"] for s in body["sentences"]]
    assert roles == sorted(roles, key=lambda role: role != "answer") and roles[0] == "answer"
    for sentence in body["sentences"]:
        cited = next(c for c in body["citations"] if c["n"] == sentence["n"])
        assert (sentence["role"] == "answer") == cited["id"].startswith("a-res-80-173:")
    langs = [s["lang"] for s in body["sentences"] if s["role"] == "answer"]
    assert langs == sorted(langs, key=lambda lang: lang != "en"), langs
    # The first sentence leads; within a role and language, further clauses follow the lead.
    assert body["sentences"][0]["lead"] is True
    for role, lang in {(s["role"], s["lang"]) for s in body["sentences"]}:
        leads = [s["lead"] for s in body["sentences"] if (s["role"], s["lang"]) == (role, lang)]
        assert leads == sorted(leads, reverse=True), (role, lang, leads)


def test_cross_lingual_answer_quotes_the_chinese_report(client: TestClient) -> None:
    body = ask(client, "When did the CWG-WSIS&SDG hold its 44th meeting?", filters={"doc": ["council-report"]})
    assert body["found"] is True, body
    assert any("2026年1月15-16日" in c["text"] for c in body["citations"])
    assert_markers_resolve(body)


@pytest.mark.parametrize(
    "question",
    [
        "How long should I bake a chocolate cake at 180 degrees?",  # off-topic
        "What does paragraph 140 of A/RES/80/173 say?",  # near-miss: the outcome ends at para. 127
        "What does A/RES/80/173 ask of the World Bank?",  # near-miss: it tasks no World Bank
        "What does paragraph 11 (h) of the GDC commit to?",  # near-miss: para. 11 ends at (g)
    ],
)
def test_questions_the_corpus_does_not_answer_are_declined(client: TestClient, question: str) -> None:
    body = ask(client, question)
    assert body == {**body, "found": False, "support": "none", "citations": []}
    assert body["answer"].startswith(NOT_FOUND_ANSWER)
    assert body["sentences"] == [] and 0 <= body["confidence"] < 0.5


def test_an_off_topic_question_is_never_answered_as_fact(client: TestClient) -> None:
    # The support model declines most off-topic questions; one it does not decline is
    # shown with a warning (weak), never as a strong answer.
    body = ask(client, "Who won the football world cup in 1998?")
    assert body["support"] in ("weak", "none") and body["confidence"] < 0.5, body


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        ("What does paragraph 121 of A/RES/80/173 say?", ["A/RES/80/173, para. 121"]),
        ("What do paragraphs 65 and 66 of A/RES/80/173 say?", ["A/RES/80/173, para. 65", "A/RES/80/173, para. 66"]),
        ("《全球数字契约》第33段的内容是什么？", ["GDC, para. 33"]),
    ],
)
def test_a_question_that_only_names_clauses_quotes_them(client: TestClient, question: str, cited: list[str]) -> None:
    body = ask(client, question)
    assert body["found"] is True and body["support"] == "strong", body
    assert [c["citation"]["label"] for c in body["citations"]] == cited
    assert all(s["text"] in body["citations"][s["n"] - 1]["text"] for s in body["sentences"])


def test_a_question_about_a_paragraph_its_document_lacks_is_declined_naming_it(client: TestClient) -> None:
    # A/RES/80/173 ends at para. 127: the answer and the search say which clause is not there.
    lacking = {
        "doc_id": "a-res-80-173",
        "symbol": "A/RES/80/173",
        "locator": "para. 140",
        "statement": "A/RES/80/173 has no para. 140",
    }
    body = ask(client, "What does paragraph 140 of A/RES/80/173 say?")
    assert body["found"] is False and body["missing_clauses"] == [lacking], body
    assert body["answer"] == f"{NOT_FOUND_ANSWER} A/RES/80/173 has no para. 140."
    search = client.get("/search", params={"q": "A/RES/80/173 paras. 126-128"}).json()
    assert search["missing_clauses"] == [
        {**lacking, "locator": "para. 128", "statement": "A/RES/80/173 has no para. 128"}
    ]
    assert [r["id"] for r in search["results"][:2]] == ["a-res-80-173:para-126", "a-res-80-173:para-127"]


def test_a_question_about_a_document_the_corpus_lacks_is_declined_naming_it(client: TestClient) -> None:
    # A/RES/80/118 is not indexed and no indexed clause cites it: the Council report's
    # paragraphs on ITU must not answer for it.
    body = ask(client, "What does resolution 80/118 ask of ITU?")
    assert body["found"] is False and body["support"] == "none" and body["citations"] == [], body
    assert body["missing_documents"] == [{"symbol": "80/118", "cited_by": 0}]
    assert "80/118" in body["answer"]
    search = client.get("/search", params={"q": "What does resolution 80/118 ask of ITU?"}).json()
    assert search["missing_documents"] == [{"symbol": "80/118", "cited_by": 0}]
    # A document the corpus lacks but cites: what the citing clause says of it answers.
    body = ask(client, "Is A/RES/73/218 among the reference documents of the Council report?")
    assert body["found"] is True, body
    assert body["missing_documents"][0]["symbol"] == "A/RES/73/218" and body["missing_documents"][0]["cited_by"] >= 1
    assert any("A/RES/73/218" in c["text"] for c in body["citations"])
    # Every document named is indexed: nothing is missing.
    assert ask(client, ITU_QUESTION)["missing_documents"] == []


def test_a_two_part_question_is_answered_per_part(client: TestClient) -> None:
    body = ask(client, "Compare what the GDC and A/RES/80/173 say about connecting schools to the Internet.")
    assert [p["question"] for p in body["parts"]] == [
        "What does the GDC say about connecting schools to the Internet?",
        "What does A/RES/80/173 say about connecting schools to the Internet?",
    ]
    assert_markers_resolve(body)
    for part, doc in zip(body["parts"], ("gdc:", "a-res-80-173:"), strict=True):
        assert part["found"] and part["citations"], part
        # Each part opens with its own document's clause (citations are numbered across the
        # parts: a part may cite the other part's clause as context, under its number).
        cited = {c["n"]: c["id"] for c in part["citations"]}
        assert cited[part["sentences"][0]["n"]].startswith(doc), part["sentences"]
        assert part["sentences"][0]["role"] == "answer"
        assert {c["n"] for c in part["citations"]} == {s["n"] for s in part["sentences"]}
        assert part["answer"] == " ".join(f"{s['text']} [{s['n']}]" for s in part["sentences"])
    assert body["sentences"] == [s for p in body["parts"] for s in p["sentences"]]
