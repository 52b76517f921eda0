"""Extractive answers: the best sentences of the retrieved clauses, verbatim, each
followed by the marker `[n]` of the clause it comes from.

Nothing is generated: every word of an answer is a substring of a cited clause. A
sentence is scored by the cosine of its multilingual-e5 embedding with the question's
(so an English question can pick a sentence of the Chinese report), plus a small bonus
for the question's content words it contains and for the rank of its clause. When the
best sentence scores under `AnswerConfig.min_relevance` the answer says that the corpus
does not answer the question.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wsis_rag.index.embedders import Embedder
from wsis_rag.index.results import Filters, Hit
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.service.schemas import AnswerCitation, AskResponse

# Multilingual, so that an English question scores the sentences of the Chinese report.
ANSWER_ENCODER = "e5"
NOT_FOUND_ANSWER = "The corpus holds no clause that answers this question."

# A sentence ends at . ! ? ; followed by a space, or at a Chinese 。！？； (no space).
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])")
# ...unless the full stop closes one of these abbreviations ("para. 3", "e.g. the").
_ABBREVIATIONS = frozenset({"para", "paras", "no", "nos", "e.g", "i.e", "mr", "ms", "mrs", "dr", "art", "vol", "cf", "op"})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/+&'-]*[A-Za-z0-9]|\d+(?:/\d+)+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_STOPWORDS = frozenset(
    """a about above after all also an and any are as at be been by can could did do does for from had has have
    how in into is it its itself more most not of on or other our should so such than that the their them then
    there these they this those to under upon was we were what when where which while who whom why will with
    would you your according""".split()
)


@dataclass(frozen=True)
class AnswerConfig:
    passages: int = 8  # retrieved clauses whose sentences are candidates
    max_sentences: int = 4
    min_words: int = 4  # shorter fragments ("(a)", "121.") are not sentences worth quoting
    min_relevance: float = 0.80  # calibrated on the dev set against off-topic questions
    keep_within: float = 0.05  # keep sentences scoring within this of the best one
    lexical_weight: float = 0.10
    rank_weight: float = 0.02


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    text: str
    score: float = 0.0


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each a verbatim substring (stripped)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        words = text[start:end].split()
        if words and words[-1].rstrip(".").lower() in _ABBREVIATIONS and text[end - 1] == ".":
            continue
        pieces.append(text[start:end])
        start = match.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def content_terms(question: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(question) if w.lower() not in _STOPWORDS and len(w) > 2}


def lexical_overlap(terms: set[str], sentence: str) -> float:
    """Share of the question's content terms that occur in the sentence."""
    if not terms:
        return 0.0
    lowered = sentence.lower()
    return sum(term in lowered for term in terms) / len(terms)


def _word_count(sentence: str) -> int:
    # A Han character counts as a word: Chinese sentences have no spaces.
    return len(sentence.split()) + len(_HAN.findall(sentence))


def candidates(hits: Sequence[Hit], config: AnswerConfig) -> list[Candidate]:
    return [
        Candidate(hit, sentence)
        for hit in hits[: config.passages]
        for sentence in split_sentences(hit.passage.text)
        if _word_count(sentence) >= config.min_words
    ]


def score_candidates(
    question: str, pool: list[Candidate], encoder: Embedder, config: AnswerConfig
) -> list[Candidate]:
    """The pool with scores, best first."""
    if not pool:
        return []
    query_vector = encoder.embed_queries([question])[0]
    sentence_vectors = encoder.embed_passages([c.text for c in pool])
    semantic = sentence_vectors @ query_vector
    terms = content_terms(question)
    scored = [
        Candidate(
            c.hit,
            c.text,
            float(sim) + config.lexical_weight * lexical_overlap(terms, c.text) + config.rank_weight / c.hit.rank,
        )
        for c, sim in zip(pool, np.asarray(semantic), strict=True)
    ]
    return sorted(scored, key=lambda c: c.score, reverse=True)


def select(scored: list[Candidate], config: AnswerConfig) -> list[Candidate]:
    """The best sentence of each of the best clauses, close enough to the best overall."""
    if not scored or scored[0].score < config.min_relevance:
        return []
    chosen: list[Candidate] = []
    seen_passages: set[str] = set()
    for candidate in scored:
        if candidate.score < scored[0].score - config.keep_within or len(chosen) == config.max_sentences:
            break
        if candidate.hit.passage.id not in seen_passages:
            seen_passages.add(candidate.hit.passage.id)
            chosen.append(candidate)
    return chosen


def compose(chosen: list[Candidate]) -> tuple[str, list[AnswerCitation]]:
    """The answer text with a marker after each sentence, and the cited clauses by marker."""
    citations: list[AnswerCitation] = []
    marker: dict[str, int] = {}
    parts: list[str] = []
    for candidate in chosen:
        passage = candidate.hit.passage
        if passage.id not in marker:
            marker[passage.id] = len(citations) + 1
            citations.append(
                AnswerCitation(
                    n=marker[passage.id], id=passage.id, label=passage.label, text=passage.text, citation=passage.citation
                )
            )
        parts.append(f"{candidate.text} [{marker[passage.id]}]")
    return " ".join(parts), citations


def answer_question(
    retriever: HybridRetriever,
    encoder: Embedder,
    question: str,
    k: int,
    filters: Filters | None = None,
    config: AnswerConfig = AnswerConfig(),
) -> AskResponse:
    started = time.perf_counter()
    hits = retriever.search(question, k=k, filters=filters)
    chosen = select(score_candidates(question, candidates(hits, config), encoder, config), config)
    answer, citations = compose(chosen)
    return AskResponse(
        question=question,
        answer=answer or NOT_FOUND_ANSWER,
        citations=citations,
        found=bool(chosen),
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )
