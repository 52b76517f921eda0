"""Extractive answers: the best sentences of the retrieved clauses, verbatim, each followed
by the marker `[n]` of the clause it comes from, with how well the corpus supports them.

Nothing is generated: every word of an answer is a substring of a cited clause. The steps,
one module each: the question understood (question.py) and split into parts if it asks
several things (parts.py); per part, a search, every quotable sentence of the top clauses
scored with the retrieval's evidence (choice.py, sentence vectors from vectors.py), the
support judged (support.py); then one answer, its markers numbered across the parts. The
models and thresholds are data (calibration.toml), fitted on the dev split. A part that only
names clauses ("What does paragraph 121 of A/RES/80/173 say?") is answered by their text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ...core.sentences import quotable_sentences
from ...core.vocabulary import Citation, QuotedClause
from ...index.api import Filters, Hit, HybridRetriever, MissingClause, MissingDocument
from .calibration import Calibration, load_calibration
from .choice import Candidate, Chosen, Role, candidates, in_reading_order, select
from .parts import split_question
from .question import AskedQuestion, missing_references, names_clause, understand
from .support import Support, support_features, support_of
from .vectors import ClauseSentences

NOT_FOUND_ANSWER = "The corpus holds no clause that answers this question."


class AnswerCitation(QuotedClause):
    """A passage cited by the answer; `n` is its marker `[n]` in the answer text, `text`
    the full clause text as cited."""

    n: int
    citation: Citation
    role: Role = Field(
        description="`answer`: from a document the question names (or any, if it names none); "
        "`context`: from another document, when the question names some."
    )


class AnswerSentence(BaseModel):
    text: str = Field(description="A sentence quoted verbatim from the clause cited as `[n]`.")
    n: int
    lang: str
    role: Role
    lead: bool = Field(
        default=True,
        description="True: the answer proper. False: a further clause retrieval ranked high, quoted after the "
        "lead sentences of its role and language (show it as related, not as the answer).",
    )


class AnswerPart(BaseModel):
    """One part of a multi-part question, answered and cited on its own."""

    question: str
    answer: str
    sentences: list[AnswerSentence]
    citations: list[AnswerCitation]
    found: bool
    support: Support
    confidence: float


class AskResponse(BaseModel):
    question: str
    answer: str = Field(description="Verbatim sentences of the cited clauses, each followed by its marker `[n]`.")
    sentences: list[AnswerSentence] = Field(description="The answer's sentences in reading order, with their markers.")
    citations: list[AnswerCitation]
    found: bool = Field(description="False when no retrieved clause answers the question; `answer` then says so.")
    support: Support = Field(
        description="`strong`; `weak`: show the answer with a warning, the corpus may not answer this; "
        "`none`: declined (`found` is false). A multi-part question's is strong when every part's is, "
        "none when every part's is."
    )
    confidence: float = Field(
        description="Estimated probability that the corpus answers the question (0-1); of a multi-part "
        "question, its best-supported part's."
    )
    parts: list[AnswerPart] = Field(
        default_factory=list, description="The parts of a question that asks several things, each answered apart."
    )
    missing_documents: list[MissingDocument] = Field(
        default_factory=list,
        description="Documents the question names by symbol that the corpus does not hold. A question that "
        "names no other document, about documents no indexed clause cites, is declined.",
    )
    missing_clauses: list[MissingClause] = Field(
        default_factory=list,
        description="Paragraphs the question names that their document does not have ('paragraph 140 of "
        "A/RES/80/173'); a declined answer says so.",
    )
    took_ms: float


@dataclass(frozen=True)
class PartAnswer:
    """One question (or part) answered: the sentences chosen in reading order (none when
    declined) and the support."""

    question: str
    chosen: list[Chosen]
    confidence: float
    support: Support


def answer_from(
    question: AskedQuestion, hits: Sequence[Hit], scored: Sequence[Candidate], calibration: Calibration
) -> PartAnswer:
    """The answer to one question from its retrieved clauses and their scored sentences:
    the selection in reading order and its support (pure: the calibration tunes through it).
    A question that only names clauses, all of which exist, is answered by their text."""
    if question.quotes_clauses and question.references and not missing_references(question, hits):
        return PartAnswer(question.text, quoted(question, hits, scored), 1.0, Support.STRONG)
    chosen = in_reading_order(select(scored, question, calibration), question)
    confidence = calibration.support.probability(support_features(question, hits, scored, chosen))
    support = support_of(confidence, calibration)
    return PartAnswer(question.text, chosen if support != Support.NONE else [], confidence, support)


MAX_QUOTED = 12  # sentences: a paragraph and its subparagraphs, not a whole annex


def quoted(question: AskedQuestion, hits: Sequence[Hit], scored: Sequence[Candidate]) -> list[Chosen]:
    """The sentences of the clauses the question names, in document order (the retriever
    pins them first, each before its subclauses), at most `MAX_QUOTED`."""
    known = {(c.hit.passage.id, c.text): c for c in scored}
    sentences = [
        known.get((hit.passage.id, sentence)) or Candidate(hit, sentence, {})
        for hit in hits
        if names_clause(question, hit)
        for sentence in quotable_sentences(hit.passage)
    ]
    return [Chosen(candidate, Role.ANSWER) for candidate in sentences[:MAX_QUOTED]]


def respond(
    question: str,
    answers: Sequence[PartAnswer],
    took_ms: float,
    missing: Sequence[MissingDocument] = (),
    missing_clauses: Sequence[MissingClause] = (),
) -> AskResponse:
    """The response to a question from the answers to its parts (one, or several), their
    markers numbered across the parts. `missing`: documents it names that the corpus lacks
    but some indexed clause cites (a question about what those clauses say of them);
    `missing_clauses`: paragraphs it names that their document does not have."""
    markers: dict[str, AnswerCitation] = {}
    parts = [_compose(answer, markers) for answer in answers]
    support = _overall([p.support for p in parts])
    lacking = "; ".join(m.statement for m in missing_clauses)
    return AskResponse(
        question=question,
        answer=" ".join(p.answer for p in parts if p.found) or NOT_FOUND_ANSWER + (f" {lacking}." if lacking else ""),
        sentences=[s for p in parts for s in p.sentences],
        citations=list(markers.values()),
        found=support != Support.NONE,
        support=support,
        confidence=max(p.confidence for p in parts),
        parts=parts if len(parts) > 1 else [],
        missing_documents=list(missing),
        missing_clauses=list(missing_clauses),
        took_ms=took_ms,
    )


def about_missing_documents(question: str, missing: Sequence[MissingDocument], took_ms: float) -> AskResponse:
    """The response to a question about documents the corpus does not hold and never cites:
    declined, saying which (other documents' clauses would answer for a text nobody can read here)."""
    names = " and ".join(m.symbol for m in missing)
    them = "it" if len(missing) == 1 else "them"
    return AskResponse(
        question=question,
        answer=f"The corpus does not hold {names}, which the question names, and no indexed clause cites {them}.",
        sentences=[],
        citations=[],
        found=False,
        support=Support.NONE,
        confidence=0.0,
        missing_documents=list(missing),
        took_ms=took_ms,
    )


def _overall(supports: Sequence[Support]) -> Support:
    if all(s == Support.STRONG for s in supports):
        return Support.STRONG
    return Support.NONE if all(s == Support.NONE for s in supports) else Support.WEAK


def answer_question(
    retriever: HybridRetriever,
    question: str,
    k: int,
    filters: Filters | None = None,
    calibration: Calibration | None = None,
) -> AskResponse:
    started = time.perf_counter()
    calibration = calibration or load_calibration()
    whole = understand(retriever, question)
    missing = retriever.missing_documents(question)
    if missing and not whole.named and not any(m.cited_by for m in missing):
        return about_missing_documents(question, missing, _since(started))
    texts = split_question(question, whole.document_names)
    asked = [whole] if len(texts) == 1 else [understand(retriever, text) for text in texts]
    vectors = ClauseSentences(retriever)
    answers = []
    for part in asked:
        hits = retriever.search(part.text, k=k, filters=filters)
        answers.append(answer_from(part, hits, candidates(part, hits, vectors, calibration), calibration))
    return respond(question, answers, _since(started), missing, retriever.missing_clauses(question))


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _compose(result: PartAnswer, markers: dict[str, AnswerCitation]) -> AnswerPart:
    """One part's answer text and sentences, its clauses numbered after those of the parts
    before it (`markers`, by passage id, grows): a clause cited twice keeps its number."""
    sentences = []
    for chosen in result.chosen:
        passage = chosen.candidate.hit.passage
        if passage.id not in markers:
            markers[passage.id] = AnswerCitation.from_passage(
                passage, n=len(markers) + 1, citation=passage.citation, role=chosen.role
            )
        sentences.append(
            AnswerSentence(
                text=chosen.candidate.text,
                n=markers[passage.id].n,
                lang=passage.lang,
                role=chosen.role,
                lead=chosen.lead,
            )
        )
    cited = {s.n for s in sentences}
    return AnswerPart(
        question=result.question,
        answer=" ".join(f"{s.text} [{s.n}]" for s in sentences) or NOT_FOUND_ANSWER,
        sentences=sentences,
        citations=[c for c in markers.values() if c.n in cited],
        found=result.support != Support.NONE,
        support=result.support,
        confidence=round(result.confidence, 4),
    )
