"""A known-item question set generated mechanically from the indexed corpus, for checks at
scale: each question is one clause's own key phrases (its rarest content words, or for
Chinese its rarest short phrases, in text order), and its gold snippet a short extract
of that clause that occurs nowhere else. Seeded, so the same index gives the same set.

    python -m wsis_rag.eval.known_items [--count 300] [--seed 11] [--out eval/sets/known-item.jsonl]
"""

from __future__ import annotations

import argparse
import logging
import random
import re
from collections.abc import Sequence
from pathlib import Path

from ..core.settings import PROJECT_ROOT, get_settings
from ..core.vocabulary import ClauseKind, Passage
from ..core.words import HAN, STOPWORDS, han_bigrams
from ..index.analysis import word_tokens
from ..index.lexical import LexicalIndex
from .questions import Question, RelevantItem, write_questions

logger = logging.getLogger(__name__)

DEFAULT_OUT = PROJECT_ROOT / "eval" / "sets" / "known-item.jsonl"
KEY_TERMS = 4  # enough to name one clause, few enough that it is a search, not a quote
SNIPPET_CHARS = {"en": 48, "zh": 16}  # short: the set quotes, it does not copy
MIN_CHARS = {"en": 120, "zh": 40}  # shorter clauses have too few distinctive words
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
_HAN_RUN = re.compile(f"[{HAN}]+")
_ZH_BREAK = re.compile("[的和在并与了及对为是将由其等中]")
_SKIPPED_KINDS = frozenset({ClauseKind.TITLE, ClauseKind.FOOTNOTE, ClauseKind.FRONT, ClauseKind.HEADING})


def key_terms(passage: Passage, lexical: LexicalIndex, count: int = KEY_TERMS) -> list[str]:
    """The `count` rarest content words (English) or phrases between function characters
    (Chinese, as rare as their rarest bigram) of the passage, in the order it uses them."""
    if passage.lang == "zh":
        # Phrases between function characters, each as rare as its commonest bigram's
        # rarest neighbour would mislead; use its rarest bigram.
        phrases = [c for run in _HAN_RUN.findall(passage.text) for c in _ZH_BREAK.split(run) if 2 <= len(c) <= 6]
        candidates = list(dict.fromkeys(phrases))
        bigrams = {c: han_bigrams(c) for c in candidates}
        frequency = lexical.document_frequency(sorted({g for gs in bigrams.values() for g in gs}))
        tokens = {c: min(bigrams[c], key=lambda g: frequency.get(g, 10**9)) for c in candidates}
    else:
        words = [w for w in _WORD.findall(passage.text) if w.lower() not in STOPWORDS]
        candidates = list(dict.fromkeys(w.lower() for w in words))
        tokens = {w: (word_tokens(w) or [w])[0] for w in candidates}
    frequency = lexical.document_frequency(list(set(tokens.values())))
    known = [c for c in candidates if tokens[c] in frequency]
    # Rarest first; ties broken by position so the choice is stable.
    chosen = set(sorted(known, key=lambda c: (frequency[tokens[c]], known.index(c)))[:count])
    seen_tokens: set[str] = set()
    ordered = []
    for c in known:
        if c in chosen and tokens[c] not in seen_tokens:
            seen_tokens.add(tokens[c])
            ordered.append(c)
    return ordered


def unique_snippet(passage: Passage, texts: Sequence[str], rng: random.Random) -> str | None:
    """A short extract of the passage that occurs in no other passage text (None if every
    tried extract is shared)."""
    size = SNIPPET_CHARS.get(passage.lang, SNIPPET_CHARS["en"])
    text = passage.text
    if len(text) <= size:
        return None
    if passage.lang == "zh":
        starts = list(range(0, len(text) - size, max(1, size // 2)))
    else:  # whole words: a quote a reader could have copied
        starts = [m.start() for m in re.finditer(r"(?<!\S)\S", text) if m.start() < len(text) - size]
    rng.shuffle(starts)
    for start in starts[:6]:
        snippet = text[start : start + size]
        if passage.lang != "zh":
            snippet = snippet.rsplit(" ", 1)[0]
        snippet = snippet.strip()
        if len(snippet) >= size // 2 and sum(snippet in t for t in texts) == 1:
            return snippet
    return None


def generate(passages: Sequence[Passage], lexical: LexicalIndex, count: int, seed: int) -> list[Question]:
    """Up to `count` known-item questions over `passages` (English and Chinese in proportion
    to the corpus, drawn with `seed`)."""
    rng = random.Random(seed)
    texts = [p.text for p in passages]
    eligible = [
        p
        for p in passages
        if p.kind not in _SKIPPED_KINDS and p.piece == 1 and len(p.text) >= MIN_CHARS.get(p.lang, MIN_CHARS["en"])
    ]
    rng.shuffle(eligible)
    questions: list[Question] = []
    for passage in eligible:
        if len(questions) >= count:
            break
        terms = key_terms(passage, lexical)
        snippet = unique_snippet(passage, texts, rng)
        if len(terms) < KEY_TERMS or snippet is None:
            continue
        questions.append(
            Question(
                id=f"k{len(questions) + 1:03d}",
                query=" ".join(terms),
                lang=passage.lang,
                kind="known-item",
                relevant=[RelevantItem(doc=passage.symbol, locator=passage.locator, snippet=snippet)],
                answer="",
            )
        )
    logger.info("generated %d known-item questions from %d eligible passages", len(questions), len(eligible))
    return questions


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    from ..index.api import load_retriever

    retriever = load_retriever(get_settings())
    questions = generate(retriever.passages, retriever.lexical, args.count, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_questions(questions, args.out)
    print(f"wrote {len(questions)} questions to {args.out}")


if __name__ == "__main__":
    main()
