"""BM25 over texts in the other alphabetic scripts of the UN: French and Spanish with their
diacritics, Russian, Arabic. The words of a question find the clause that says them in
another form (without accents, another case ending), beside English and Chinese clauses."""

from __future__ import annotations

import pytest

from wsis_rag.core.vocabulary import ClauseKind, DocType, DocumentMeta, Passage
from wsis_rag.index.api import Embedder, HybridRetriever, build_retriever

CLAUSES = {
    "fr": "Demande aux États Membres de renforcer la coopération numérique régionale et l'accès à l'information.",
    "es": "Exhorta a los Estados a promover la alfabetización mediática e informacional.",
    "ru": "Призывает государства-члены укреплять региональное цифровое сотрудничество.",
    "ar": "تدعو الدول الأعضاء إلى تعزيز التعاون الرقمي الإقليمي.",
    "en": "Calls upon Member States to strengthen regional digital cooperation.",
    "zh": "呼吁会员国加强区域数字合作。",
}


def _passage(number: int, lang: str, text: str) -> Passage:
    return Passage(
        id=f"res-{lang}:para-1",
        doc_id=f"res-{lang}",
        symbol=f"A/RES/99/{number}",
        title=f"Digital cooperation ({lang})",
        doc_type=DocType.RESOLUTION,
        body="UN General Assembly",
        kind=ClauseKind.PARAGRAPH,
        anchor="para-1",
        locator="para. 1",
        label=f"res-{lang}, para. 1",
        lang=lang,
        char_start=0,
        char_end=len(text),
        n_tokens=len(text.split()),
        order=0,
        text=text,
    )


@pytest.fixture(scope="module")
def bm25_over_six_languages(hashing_embedder: Embedder) -> HybridRetriever:
    passages = [_passage(number, lang, text) for number, (lang, text) in enumerate(CLAUSES.items(), 1)]
    documents = [
        DocumentMeta(id=p.doc_id, symbol=p.symbol, short=p.symbol, title=p.title, body=p.body,
                     type=p.doc_type, lang=p.lang)
        for p in passages
    ]  # fmt: skip
    return build_retriever(passages, documents, {"hash": hashing_embedder}).with_signals(["bm25"])


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("etats membres cooperation numerique", "fr"),  # no accents: the text's are folded
        ("accès information", "fr"),  # "l'accès à l'information": the elisions are no part of the words
        ("alfabetizacion mediatica", "es"),
        ("государств цифрового сотрудничества", "ru"),  # other case endings
        ("الدول التعاون الرقمي", "ar"),
    ],
)
def test_bm25_finds_the_clause_in_its_own_script(
    bm25_over_six_languages: HybridRetriever, query: str, lang: str
) -> None:
    hits = bm25_over_six_languages.search(query, k=3)
    assert hits and hits[0].passage.lang == lang
    assert hits[0].matched_terms, "the words it matched are highlighted as the text writes them"
