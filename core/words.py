"""What a word is in the corpus's languages, for every step that matches words: the Han
characters (Chinese is written without spaces, so its words are matched as character
bigrams) and the English words too common to tell clauses apart.

Retrieval's analyser (index/analysis.py) tokenises with these, and the products that
match question words against clause text (answers, the document list) use the same ones,
so a word that retrieval ignores is ignored there too.
"""

from __future__ import annotations

from bm25s.stopwords import STOPWORDS_EN

# The CJK unified ideographs (with extension A and the compatibility block), as a
# character class body: f"[{HAN}]".
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

STOPWORDS = frozenset(STOPWORDS_EN) | {
    "what",
    "which",
    "who",
    "whom",
    "how",
    "does",
    "did",
    "do",
    "say",
    "says",
    "about",
    "according",
    "any",
    "anything",
    "has",
    "have",
    "been",
    "would",
    "should",
    "can",
    "its",
    "their",
    "from",
}


def han_bigrams(run: str) -> list[str]:
    """The overlapping character bigrams of a run of Han characters (a lone character
    stays a unigram): they match Chinese terms however a word segmenter would cut them."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]
