"""The BM25 analysers and the termbase: symbols, Chinese, stemming, cross-language terms."""

from __future__ import annotations

import re

import pytest

from wsis_rag.index.analysis import (
    analyse,
    caseless,
    document_symbols,
    matched_terms,
    query_language,
    symbol_tokens,
    tokens_of_every_saying,
)
from wsis_rag.index.termbase import load_termbase


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("A/RES/80/173", "sym:80/173"),
        ("resolution 80/173", "sym:80/173"),
        ("see 80/173, para. 121", "sym:80/173"),
        ("联合国大会第A/RES/70/125号决议", "sym:70/125"),
        ("E/RES/2025/18", "sym:2025/18"),
        ("draft A/80/L.41", "sym:80/l.41"),
        ("Res. 140", "res:140"),
        ("Resolution 140 (Rev. Bucharest, 2022)", "res:140"),
        ("PP Res 214", "res:214"),
        ("第1332号决议（2024年，修订版）", "res:1332"),
        ("ITU-R第61-3号决议", "res:61"),
        ("PP-22", "conf:pp-22"),
        ("PP22", "conf:pp-22"),
    ],
)
def test_symbols_become_one_canonical_token(text: str, token: str) -> None:
    assert token in analyse(text)


def test_symbol_forms_agree_and_differ_where_they_should() -> None:
    assert symbol_tokens("A/RES/80/173") == symbol_tokens("resolution 80/173") == ["sym:80/173"]
    assert symbol_tokens("Res. 140") == symbol_tokens("第140号决议") == ["res:140"]
    assert "res:80" not in analyse("resolution 80/173")  # the pair is one symbol, not "Resolution 80"
    assert symbol_tokens("A/RES/70/1") != symbol_tokens("A/RES/70/125")
    assert symbol_tokens("the 2025-2026 budget") == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("What does resolution 80/118 ask of ITU?", [("sym:80/118", "80/118")]),
        ("A/RES/80/173, para. 121", [("sym:80/173", "A/RES/80/173")]),
        ("第79/194号决议", [("sym:79/194", "79/194")]),
        ("经社理事会E/RES/2025/18号决议", [("sym:2025/18", "E/RES/2025/18")]),
        ("draft A/80/L.41", [("sym:80/l.41", "A/80/L.41")]),
        ("resolutions 78/132 and 79/194 and 78/132", [("sym:78/132", "78/132"), ("sym:79/194", "79/194")]),
        ("the 79/194 text", [("sym:79/194", "79/194")]),
        # Not documents: a budget period, a phrase, a date.
        ("For 2024/25, how do the appropriations compare?", []),
        ("网络犯罪公约 24/7网络", []),
        ("adopted on 12/05/2025", []),
    ],
)
def test_documents_named_by_symbol(text: str, named: list[tuple[str, str]]) -> None:
    assert document_symbols(text) == named


def test_english_is_lowercased_stemmed_and_stopword_free() -> None:
    tokens = analyse("The Measuring of Resolutions and the Governance")
    assert tokens == ["measur", "resolut", "govern"]


def test_every_alphabetic_script_gives_words() -> None:
    # French and Spanish: diacritics folded, so a query typed without them matches; the
    # English stemmer serves every Latin word alike.
    assert analyse("L'Assemblée générale demande aux États") == analyse("L'Assemblee generale demande aux Etats")
    assert "general" in analyse("résolution de l'Assemblée générale") and "estado" in analyse("los Estados")
    assert analyse("Côte d'Ivoire, Türkiye") == ["cote", "ivoir", "turkiy"]
    # A French elision is no part of the word: "l'Assemblée" is "Assemblée".
    assert analyse("l'Assemblée d'information") == analyse("Assemblée information") == ["assemble", "inform"]
    # Russian and Arabic words by their own stemmers: one stem for a word's forms.
    assert analyse("Генеральная Ассамблея") == ["генеральн", "ассамбле"]
    assert analyse("государства")[0] == analyse("государств")[0]
    assert analyse("الجمعية العامة تدعو الدول") == ["جمع", "عام", "تدعو", "دول"]
    # ASCII words give the tokens they always had; Han runs are still bigrams beside them.
    assert analyse("States' 44th meetings of WSIS+20 and ICT4D") == ["state", "44", "meet", "wsis+20", "ict4d"]
    assert analyse("国际电联 ITU") == ["itu", "国际", "际电", "电联"]


def test_words_of_any_script_are_highlighted_as_written() -> None:
    assert matched_terms("L'Assemblée générale demande aux États membres", frozenset(analyse("generale etats"))) == [
        "générale",
        "États",
    ]
    assert matched_terms("Генеральная Ассамблея призывает государства", frozenset(analyse("государств"))) == [
        "государства"
    ]


def test_chinese_becomes_character_bigrams() -> None:
    assert analyse("国际电联") == ["国际", "际电", "电联"]
    assert analyse("会") == ["会"]
    mixed = analyse("WSIS论坛")
    assert "wsis" in mixed and "论坛" in mixed


def test_query_language() -> None:
    assert query_language("What did the Council decide?") == "en"
    assert query_language("秘书处依据什么定期向工作组通报对WSIS+20进程的贡献？") == "zh"
    assert query_language("WSIS信托基金 伙伴关系方案") == "zh"
    assert query_language("Что поручено МСЭ в резолюции A/RES/80/173?") == "ru"
    assert query_language("ما هي مهام الاتحاد الدولي للاتصالات في القرار 80/173؟") == "ar"
    assert query_language("Que demande la résolution à l'UIT ?") == "en"


def test_termbase_carries_terms_across_languages() -> None:
    termbase = load_termbase()
    equivalents = termbase.equivalents("What is ITU's role in the Global Digital Compact?")
    assert "国际电联" in equivalents and "全球数字契约" in equivalents
    assert "International Telecommunication Union" in load_termbase().equivalents("国际电联的作用")
    # Acronyms match as words only: "AI" is not inside "maintain", "ITU" not inside "situation".
    assert "人工智能" not in termbase.equivalents("maintain the situation")
    assert "人工智能" in termbase.equivalents("AI governance")
    # A Latin term glued to Chinese text still counts as a word.
    assert "World Summit on the Information Society" in termbase.equivalents("WSIS信托基金")


def _termbase_texts() -> list[str]:
    """Every form of the termbase as written, upper-cased, in the plural, inside other words,
    with the characters re.IGNORECASE folds differently (ı, İ, ſ), and the dev-style queries."""
    texts = ["What is ITU's role in the Global Digital Compact?", "maintain the situation", "WSIS信托基金"]
    for term in load_termbase().terms:
        for _, form in term.forms:
            texts += [form, form.upper(), form.lower() + "s", f"x{form}x", f"about {form}, please"]
            texts += [form.replace("i", "ı"), form.replace("I", "İ"), form.replace("s", "ſ")]
    return texts


def test_termbase_substring_filter_finds_what_the_patterns_find() -> None:
    termbase = load_termbase()
    for text in _termbase_texts():
        by_pattern = [
            term
            for term, patterns in zip(termbase.terms, termbase._patterns, strict=True)
            if any(pattern.search(text) for _, _, pattern in patterns)
        ]
        assert termbase.find(text) == by_pattern, text


def test_caseless_keeps_every_case_insensitive_match() -> None:
    for form, text in [("digital", "DIGİTAL"), ("digital", "dıgıtal"), ("access", "acceſs"), ("ΟΣ", "ΟΣΑ")]:
        assert re.search(re.escape(form), text, re.IGNORECASE)
        assert caseless(form) in caseless(text)


def test_the_tokens_of_every_text_that_says_a_name() -> None:
    # A text that says the name holds its tokens, a Chinese name inside a longer run too.
    for name, text in (
        ("全球数字契约", "各方欢迎《全球数字契约》的通过"),
        ("WSIS+20 outcome", "the WSIS+20 outcome document was adopted"),
    ):
        tokens = tokens_of_every_saying(name)
        assert tokens and set(tokens) <= set(analyse(text))
    # A lone character is a token only where it stands alone: inside a run it is not one.
    assert "号" in analyse("第 X 号") and "号" not in analyse("第X号决议")
    assert tokens_of_every_saying("第 X 号") is None and tokens_of_every_saying("the") is None
