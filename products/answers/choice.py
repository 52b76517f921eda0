"""Which sentences answer: every quotable sentence of the retrieved clauses, scored with
what retrieval knows of its clause (fused rank and score, each signal's rank, the document
the question names, operative or preambular) and what the sentence itself says (the
question's terms and actors, a task given, its similarity to the question), by a logistic
model fitted on the dev split (calibration.toml); then the best sentence of each of the
best clauses, in the order the asker should read them.

Reading order: when the question names documents, their own clauses answer first and the
others follow as context (`role`); within each role one language after the other, never
interleaved sentence by sentence, the asker's language first when one of its sentences
leads (passed the `keep` cut: relevant text in it), else the language of the best sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from ...core.sentences import quotable_sentences
from ...core.vocabulary import ClauseKind
from ...index.api import Hit
from .question import AskedQuestion, idf_coverage, names_clause
from .sentences import OPERATIVE, gives_task, lexical_overlap, occurs
from .vectors import ClauseSentences

if TYPE_CHECKING:
    from .calibration import Calibration

# What the choice model reads of each sentence (calibration.toml weighs them), with the
# sign its weight must have (0: either; see support.py).
SENTENCE_FEATURES: dict[str, int] = {
    "cosine": 1,  # the sentence's e5 cosine with the question
    "cosine_gap": -1,  # how far under the best sentence's cosine
    "use_cosine": 1,  # the sentence's USE cosine with the question (the stronger across languages)
    "use_cosine_gap": -1,  # how far under the best sentence's USE cosine
    "terms": 1,  # share of the question's content terms the sentence says (either language)
    "clause_terms": 1,  # ... that its clause (with its document's symbol and title) says
    "idf": 1,  # share of the question's idf mass the sentence holds (its rare words count most)
    "reciprocal_rank": 1,  # 1 / the clause's fused rank
    "score_ratio": 1,  # the clause's fused score / the best unpinned clause's
    "signal_agreement": 1,  # share of the signals that ranked the clause in their top 10
    "best_signal": 1,  # 1 / the best rank any signal gave the clause
    "bm25_rank": 1,  # 1 / BM25's rank of the clause (0 where it did not rank it)
    "e5_rank": 1,  # ... multilingual e5's
    "use_rank": 1,  # ... multilingual USE's
    "named": 1,  # the clause is in a document the question names
    "not_named": -1,  # the question names documents, and not this clause's
    "referenced": 1,  # the clause is one the question names ("para. 121")
    "operative": 0,  # an operative clause (paragraph, subparagraph, report paragraph)
    "preamble": 0,  # a preambular paragraph
    "front": 0,  # front matter of a report (purpose, references, financial implications)
    "actors": 1,  # share of the question's names the sentence says
    "task": 1,  # the question asks what someone is given to do, and the sentence gives a task
    "same_language": 0,  # the sentence is in the question's language
}
TOP_SIGNAL_RANK = 10
# The signals whose ranks the model reads one by one (the default search's); a search with
# others still gives the fused rank and the agreement features.
SIGNALS = ("bm25", "e5", "use")


class Role(StrEnum):
    ANSWER = "answer"  # from a document the question names (or any, if it names none)
    CONTEXT = "context"  # from another document, when the question names some


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    text: str
    features: Mapping[str, float]
    score: float = 0.0  # the choice model's probability that the sentence answers


@dataclass(frozen=True)
class Chosen:
    candidate: Candidate
    role: Role
    lead: bool = True  # the answer proper; false: a further clause the answer carries (see `select`)

    @property
    def lang(self) -> str:
        return self.candidate.hit.passage.lang


def candidates(
    question: AskedQuestion, hits: Sequence[Hit], vectors: ClauseSentences, calibration: Calibration
) -> list[Candidate]:
    """Every quotable sentence of the top clauses with its features and score, best first."""
    clauses = [(hit, quotable_sentences(hit.passage)) for hit in hits[: calibration.passages]]
    pool = [(hit, sentence) for hit, sentences in clauses for sentence in sentences]
    if not pool:
        return []
    cosines = vectors.cosines(question.text, [(hit.passage, sentences) for hit, sentences in clauses])
    cosines.setdefault("use", np.zeros(len(pool)))  # an index without USE: no USE view of any sentence
    best = {name: float(values.max()) for name, values in cosines.items()}
    pinned = {h.passage.id for h in hits if names_clause(question, h)}
    # Pinned clauses score above any fused score: the best of the others is the yardstick.
    top_score = max((h.score for h in hits if h.passage.id not in pinned), default=1.0) or 1.0
    clause_terms = {
        hit.passage.id: lexical_overlap(
            set(question.terms), f"{hit.passage.symbol} {hit.passage.title}\n{hit.passage.text}"
        )
        for hit in hits[: calibration.passages]
    }
    scored = []
    for (hit, sentence), cosine, use_cosine in zip(pool, cosines["e5"], cosines["use"], strict=True):
        lowered = sentence.lower()
        passage = hit.passage
        ranks = hit.signals.values()
        features = {
            "cosine": float(cosine),
            "cosine_gap": best["e5"] - float(cosine),
            "use_cosine": float(use_cosine),
            "use_cosine_gap": best["use"] - float(use_cosine),
            "terms": lexical_overlap(set(question.terms), sentence),
            "clause_terms": clause_terms[passage.id],
            "idf": idf_coverage(question, sentence),
            "reciprocal_rank": 1.0 / hit.rank,
            "score_ratio": min(hit.score / top_score, 1.0),
            "signal_agreement": sum(r <= TOP_SIGNAL_RANK for r in ranks) / max(len(ranks), 1),
            "best_signal": 1.0 / min(ranks, default=1_000),
            **{f"{signal}_rank": 1.0 / hit.signals[signal] if signal in hit.signals else 0.0 for signal in SIGNALS},
            "named": float(passage.doc_id in question.named),
            "not_named": float(bool(question.named) and passage.doc_id not in question.named),
            "referenced": float(passage.id in pinned),
            "operative": float(passage.kind in OPERATIVE),
            "preamble": float(passage.kind == ClauseKind.PREAMBLE),
            "front": float(passage.kind == ClauseKind.FRONT),
            "actors": sum(occurs(n, lowered) for n in question.names) / len(question.names) if question.names else 0.0,
            "task": float(question.asks_for_task and gives_task(sentence)),
            "same_language": float(passage.lang == question.language),
        }
        scored.append(Candidate(hit, sentence, features, calibration.choice.probability(features)))
    return sorted(scored, key=lambda c: c.score, reverse=True)


def select(scored: Sequence[Candidate], question: AskedQuestion, calibration: Calibration) -> list[Chosen]:
    """The best sentence of each of the best clauses, at most `max_sentences`, each with its
    role. First the lead: when the question names documents, from their clauses, then from
    the others (context), each group keeping the sentences that score at least `keep` of its
    own best. Then, in the same group order, further clauses whose best sentence scores at
    least `carry` of its group's best: the answer carries what retrieval found beside its
    lead, marked so (`lead` false)."""
    groups = (
        [
            [c for c in scored if c.hit.passage.doc_id in question.named],
            [c for c in scored if c.hit.passage.doc_id not in question.named],
        ]
        if question.named
        else [list(scored)]
    )
    chosen: list[Chosen] = []
    seen: set[str] = set()
    for lead in (True, False):
        for group in filter(None, groups):
            floor = (calibration.keep if lead else calibration.carry) * group[0].score
            for candidate in group:
                if len(chosen) == calibration.max_sentences or candidate.score < floor:
                    break
                if candidate.hit.passage.id not in seen:
                    seen.add(candidate.hit.passage.id)
                    chosen.append(Chosen(candidate, _role(candidate, question), lead))
    return chosen


def _role(candidate: Candidate, question: AskedQuestion) -> Role:
    return Role.CONTEXT if question.named and candidate.hit.passage.doc_id not in question.named else Role.ANSWER


def in_reading_order(chosen: Sequence[Chosen], question: AskedQuestion) -> list[Chosen]:
    """The chosen sentences as the asker should read them (see the module's docstring)."""
    ordered: list[Chosen] = []
    for role in Role:
        group = [c for c in chosen if c.role == role]
        best = {lang: max(c.candidate.score for c in group if c.lang == lang) for lang in {c.lang for c in group}}
        leading = {c.lang for c in group if c.lead}
        languages = sorted(best, key=lambda lang: (not (lang == question.language and lang in leading), -best[lang]))
        for lang in languages:
            ordered += sorted((c for c in group if c.lang == lang), key=lambda c: -c.candidate.score)
    return ordered
