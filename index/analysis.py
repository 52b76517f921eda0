"""Text analysis for BM25: one analyser for passages and queries in every language of the UN.

- Words of the alphabetic scripts: lowercased, a French elision taken off ("l'Assemblée"),
  English stopwords dropped, Snowball-stemmed by their script (Latin by the English
  stemmer, its diacritics folded first so that "générale" and "generale" are one word;
  Cyrillic by the Russian, Arabic by the Arabic one; other scripts kept whole). An English
  word gets the token it had when the analyser read English and Chinese alone.
- Han runs: overlapping character bigrams (a lone character stays a unigram); bigrams need
  no dictionary and match Chinese terms however a word segmenter would cut them.
- Document symbols and resolution numbers become canonical tokens, written the same way
  whatever the surface form, so that "A/RES/80/173", "80/173" and "resolution 80/173"
  all give `sym:80/173`, and "Res. 140", "Resolution 140", "第140号决议" give `res:140`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from ..core.words import HAN, STOPWORDS, han_bigrams

_HAN_RUN = re.compile(f"[{HAN}]+")
# A word character of any script but Han (Han runs are read as bigrams).
_WORD_CHAR = f"[^\\W_{HAN}]"
_WORD = re.compile(f"{_WORD_CHAR}+(?:[+']{_WORD_CHAR}+)*\\+*")
# Bump when the tokens of a text change: an index built with other tokens is rebuilt.
ANALYSER_VERSION = 3

# UN symbols: A/RES/80/173, E/RES/2025/18, A/80/L.41 (the session/number pair is the key),
# and the bare "80/173" users type. Years like 2025-2026 use a dash, so they are not caught.
_UN_SYMBOL = re.compile(
    r"(?<![0-9A-Za-z/])(?:[AE]/(?:RES/)?)?(\d{2,4})/(\d{1,4}|L\.\d+)(?![0-9A-Za-z/])", re.IGNORECASE
)
# Numbered resolutions of ITU bodies: "Resolution 140", "Res. 1332", "PP Res 214",
# "Resolution 61-3" and the Chinese "第140号决议", "第61-3号决议".
_RESOLUTION_EN = re.compile(r"\bres(?:olutions?|\.)?\s*(?:no\.?\s*)?(\d{1,4})(?:-\d+)?(?![0-9/])", re.IGNORECASE)
_RESOLUTION_ZH = re.compile(r"第\s*(\d{1,4})(?:-\d+)?\s*号决议")
# Conference codes: "PP-22", "PP22", "WTDC-22".
_CONFERENCE = re.compile(r"\b(PP|WTDC|WTSA|WSIS|RA|WRC)-?(\d{2})\b", re.IGNORECASE)
# English ordinals in figures ("44th", "43rd") are the bare number, as Chinese writes them
# ("第44次"): a number then matches across the two languages without a termbase entry.
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
# French elision, "l'Assemblée", "d'information", "qu'il": the article is no part of the word
# ("Côte d'Ivoire" reads "ivoire" either way). A typographic apostrophe already splits.
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'(?=[^\W\d_])")


@lru_cache(maxsize=4)
def _stemmer(language: str = "english") -> Any:  # PyStemmer ships no type information
    import Stemmer

    return Stemmer.Stemmer(language)


def _script(letter: str) -> str:
    """The script a letter is written in, as Unicode names it: "LATIN", "CYRILLIC", "ARABIC"..."""
    return unicodedata.name(letter, "").split(" ", 1)[0]


def _script_stem(word: str) -> str:
    """The stem of a lowercased word that is not ASCII, by its script (see the module's
    docstring)."""
    script = _script(next((ch for ch in word if ch.isalpha()), ""))
    if script == "CYRILLIC":
        return str(_stemmer("russian").stemWord(word))
    if script == "ARABIC":
        return str(_stemmer("arabic").stemWord(word))
    if script == "LATIN":
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
        return str(_stemmer().stemWord(folded))
    return word


def symbol_tokens(text: str) -> list[str]:
    """Canonical tokens for the symbols and numbered resolutions named in `text`."""
    tokens = [f"sym:{a}/{b.lower()}" for a, b in _UN_SYMBOL.findall(text)]
    tokens += [f"res:{n}" for n in _RESOLUTION_EN.findall(text)]
    tokens += [f"res:{n}" for n in _RESOLUTION_ZH.findall(text)]
    tokens += [f"conf:{a.lower()}-{b}" for a, b in _CONFERENCE.findall(text)]
    return tokens


# What makes a UN symbol in a question the name of a document, not a ratio or a period:
# its series ("A/RES/80/118", "A/80/L.5", "E/RES/2025/18"), the word before it ("resolution
# 80/118", "第80/118号决议"), or, bare as delegates type it, a two-digit session and a number
# of two or three digits ("80/118"; not the budget period "2024/25" or "24/7").
_SERIES = re.compile(r"[AE]/", re.IGNORECASE)
_NAMED_BEFORE = re.compile(r"(?:\b(?:resolutions?|decisions?|res\.?)\s*|第\s*)$", re.IGNORECASE)
_NAMED_BEFORE_CHARS = 16  # "resolutions" and the spaces after it
_BARE_SYMBOL = re.compile(r"\d{2}/\d{2,3}")


def document_symbols(text: str) -> list[tuple[str, str]]:
    """The UN documents `text` names by symbol: (canonical token, the symbol as written),
    each token once, in order."""
    found: dict[str, str] = {}
    for match in _UN_SYMBOL.finditer(text):
        written = match.group(0)
        before = text[max(0, match.start() - _NAMED_BEFORE_CHARS) : match.start()]
        if _SERIES.match(written) or _NAMED_BEFORE.search(before) or _BARE_SYMBOL.fullmatch(written):
            found.setdefault(f"sym:{match.group(1)}/{match.group(2).lower()}", written)
    return list(found.items())


def word_tokens(text: str) -> list[str]:
    """The BM25 tokens of the words of `text` (its Han runs aside)."""
    words = [_bare(w.lower()) for w in _WORD.findall(text)]
    return [_word_token(w) for w in words if w not in STOPWORDS]


def _bare(word: str) -> str:
    """A lowercased word without a French elision."""
    return _ELISION.sub("", word) if "'" in word else word


def _word_token(word: str) -> str:
    """The BM25 token of one lowercased word: an ordinal's number, else its stem."""
    if not word.isascii():
        return _script_stem(word)
    ordinal = _ORDINAL.fullmatch(word)
    return ordinal.group(1) if ordinal else str(_stemmer().stemWord(word))


def analyse(text: str) -> list[str]:
    """BM25 tokens of `text` (passage or query), in order of appearance per kind."""
    tokens = symbol_tokens(text)
    # The symbol's own pieces ("res", "80", "173") would only add noise beside its token.
    tokens += word_tokens(_HAN_RUN.sub(" ", _UN_SYMBOL.sub(" ", text)))
    for run in _HAN_RUN.findall(text):
        tokens += han_bigrams(run)
    return tokens


def tokens_of_every_saying(name: str) -> list[str] | None:
    """The BM25 tokens that every text saying `name` as words holds, each once: its own
    tokens, unless one is a lone Chinese character (a unigram only where it stands alone in
    its run, so a text that says it inside a longer run holds its bigrams instead). None
    then, or when the name has no token."""
    runs = _HAN_RUN.findall(name)
    tokens = list(dict.fromkeys(analyse(name)))
    return None if not tokens or any(len(run) == 1 for run in runs) else tokens


def matched_terms(text: str, tokens: frozenset[str]) -> list[str]:
    """The surface forms in `text` of the BM25 `tokens` it contains (for highlighting the
    passage as it is shown): whole words whose stem is a token ("assigned" for
    `assign`), symbols written any way ("resolution 80/173" for `sym:80/173`), and the
    longest Han runs made of token bigrams ("国际电联" for 国际, 际电, 电联). In order of
    appearance, each once.

    Called for every result of every search, so a kind of token the query lacks is not
    looked for at all (a symbol pattern scan costs as much as the Latin words)."""
    kinds = {token.split(":", 1)[0] if ":" in token else "han" if _HAN_RUN.match(token) else "" for token in tokens}
    found: list[tuple[int, str]] = []
    for kind, pattern, canonical in _SYMBOL_FORMS:
        if kind in kinds:
            found += [(m.start(), m.group(0)) for m in pattern.finditer(text) if canonical(m) in tokens]
    if "" in kinds:
        found += _word_matches(text, tokens)
    if "han" in kinds:
        for run in _HAN_RUN.finditer(text):
            found += _han_matches(run.group(0), run.start(), tokens)
    return list(dict.fromkeys(form for _, form in sorted(found)))


def _word_matches(text: str, tokens: frozenset[str]) -> list[tuple[int, str]]:
    """(position, word) of each word whose token (stem, or an ordinal's number) is a token."""
    words = _words(text)
    if tokens.isdisjoint(words.stems):
        return []
    return [
        (start, word)
        for start, word, low, stem in zip(words.starts, words.words, words.lowered, words.stems, strict=True)
        if stem in tokens and low not in STOPWORDS
    ]


class _Words(NamedTuple):
    words: tuple[str, ...]
    lowered: tuple[str, ...]  # lower case, without a French elision
    stems: tuple[str, ...]  # the tokens of word_tokens: an ordinal is its number
    starts: tuple[int, ...]


@lru_cache(maxsize=8192)
def _words(text: str) -> _Words:
    """The words of a passage with their lower-case forms, stems and positions: what
    every query's highlighting of this passage needs, worked out once per passage text
    while it keeps being shown (the cache holds the texts of the last ~8,000 distinct
    results). Done in a few C calls: the text split into alternating gaps and words, the
    words lower-cased as one string and stemmed as one list (a match object and a stemmer
    call per word cost several times more; a word that is not ASCII is stemmed alone, by
    its script, and a word with an apostrophe loses a French elision)."""
    parts = _WORD_SPLIT.split(text)
    words = parts[1::2]
    # No word holds a NUL.
    lowered = [_bare(low) for low in ("\0".join(words).lower().split("\0") if words else [])]
    # The few words the English stem is not the token of (another script, an ordinal) take
    # word_tokens' own rule.
    stems = [
        _word_token(low) if low[:1].isdigit() or not low.isascii() else stem
        for low, stem in zip(lowered, _stemmer().stemWords(lowered), strict=True)
    ]
    ends = list(itertools.accumulate(map(len, parts)))  # ends[2 * i] = where word i starts
    return _Words(tuple(words), tuple(lowered), tuple(stems), tuple(ends[0:-1:2]))


def _han_matches(run: str, offset: int, tokens: frozenset[str]) -> list[tuple[int, str]]:
    """Maximal stretches of `run` covered by consecutive matching bigrams (or a matching
    lone character)."""
    if len(run) == 1:
        return [(offset, run)] if run in tokens else []
    hits = [run[i : i + 2] in tokens for i in range(len(run) - 1)]
    spans: list[tuple[int, str]] = []
    i = 0
    while i < len(hits):
        if not hits[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(hits) and hits[j + 1]:
            j += 1
        spans.append((offset + i, run[i : j + 2]))
        i = j + 1
    return spans


# Each symbol pattern with the kind of its token and the canonical token of a match (as
# symbol_tokens writes it).
_SYMBOL_FORMS: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    ("sym", _UN_SYMBOL, lambda m: f"sym:{m.group(1)}/{m.group(2).lower()}"),
    ("res", _RESOLUTION_EN, lambda m: f"res:{m.group(1)}"),
    ("res", _RESOLUTION_ZH, lambda m: f"res:{m.group(1)}"),
    ("conf", _CONFERENCE, lambda m: f"conf:{m.group(1).lower()}-{m.group(2)}"),
]
# The word pattern as one capturing group: re.split then returns gaps and words in turn.
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")


# Characters that re.IGNORECASE takes for an ASCII letter although casefold() keeps them
# apart (dotless and dotted i, long s).
_LIKE_ASCII = str.maketrans({"\u0131": "i", "\u0130": "i", "\u017f": "s"})


def caseless(text: str) -> str:
    """`text` case-folded for substring tests that stand in front of patterns: if the
    pattern of a form matches `text` (case-insensitive or not), `caseless(form)` is in
    `caseless(text)`, so a failed test rules the pattern out at C speed. casefold() maps
    each character alone (lower() does not: final sigma); the three characters above are
    the ones re.IGNORECASE equates with others that casefold() does not."""
    return text.translate(_LIKE_ASCII).casefold()


def query_language(text: str) -> str:
    """'zh' when Han characters make up a good part of the letters; 'ru' or 'ar' when Cyrillic
    or Arabic letters outnumber the Latin ones; else 'en' (a Latin-script question is read as
    English: French and Spanish share its analyser)."""
    han = len(re.findall(f"[{HAN}]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if han and han * 3 >= latin:
        return "zh"
    scripts = Counter(_script(ch) for ch in text if ch.isalpha() and not ch.isascii())
    for language, script in (("ru", "CYRILLIC"), ("ar", "ARABIC")):
        if scripts[script] > latin:
            return language
    return "en"
