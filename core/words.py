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


# Chinese words that frame a question rather than say what it is about (their English
# glosses, "what", "concerning", "between", would be found in any clause): the Chinese
# counterpart of the question words above, for the products that read a question's
# dictionary words.
CHINESE_FUNCTION_WORDS = frozenset(
    "什么 什么样 哪些 哪个 哪里 如何 是否 怎么 怎样 怎么样 为什么 多少 关于 有关 之间 方面 内容 进行 "
    "根据 按照 可以 已经 应该 目前 哪一".split()
)


def han_bigrams(run: str) -> list[str]:
    """The overlapping character bigrams of a run of Han characters (a lone character
    stays a unigram): they match Chinese terms however a word segmenter would cut them."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]
