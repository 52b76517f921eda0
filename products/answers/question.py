"""A question as the answer reads it: once per question (or part), from the retriever's own
analysis (language, named documents, clause references) and the answer's text rules
(content terms, names of actors, whether it asks what someone is given to do)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...core.words import HAN
from ...index.api import ClauseReference, Hit, HybridRetriever, analyse
from .sentences import actor_names, asks_for_task, content_terms, occurs, task_words

_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")
_HAN_CHARACTER = re.compile(f"[{HAN}]")


@dataclass(frozen=True)
class AskedQuestion:
    text: str
    language: str
    named: frozenset[str]  # ids of the documents it names
    references: tuple[ClauseReference, ...]  # clauses it names ("para. 121 of A/RES/80/173")
    # The anchors each names in its document: itself, or the paragraph that keeps it whole,
    # and its subclauses (none for a clause the document lacks).
    referenced_anchors: Mapping[ClauseReference, frozenset[str]]
    document_names: tuple[str, ...]  # the names of those documents as the question writes them
    terms: frozenset[str]
    names: frozenset[str]
    asks_for_task: bool
    idf: Mapping[str, float]  # the question's BM25 tokens with their idf (those no clause has: the highest)
    unknown_words: float  # share of its Latin-script BM25 tokens that no indexed clause contains
    unknown_pairs: float  # ... of its Chinese character pairs (many span two words: a weaker sign)
    no_known_words: bool  # no clause contains any of its BM25 tokens (nothing of it is in the corpus)
    # Share of its names that no document it names says anywhere, in their language (0 when
    # it names none): "What role does A/RES/80/173 give the World Bank?" of a text that never
    # mentions the Bank, however many other documents do.
    unsaid_names: float = 0.0
    # It names clauses and asks nothing more of them ("What does paragraph 121 of
    # A/RES/80/173 say?"): the answer quotes them.
    quotes_clauses: bool = False


def understand(retriever: HybridRetriever, question: str) -> AskedQuestion:
    analysed = retriever.analyse_query(question)
    tokens = set(analysed.bm25_tokens)
    names = frozenset(actor_names(question))
    frequency = retriever.lexical.document_frequency(sorted(tokens))
    size = max(retriever.lexical.size, 1)
    han = [t for t in tokens if re.match(f"[{HAN}]", t)]
    # The verb that asks for a task is no topic the corpus lacks ("What does A/RES/80/173
    # assign to ITU?" of a text that never says "assign").
    frame = set(analyse(" ".join(task_words(question))))
    latin = [t for t in tokens if t not in han and t not in frame]
    return AskedQuestion(
        text=question,
        language=analysed.language,
        named=analysed.named_documents,
        references=analysed.clause_references,
        referenced_anchors={ref: retriever.referenced_anchors(ref) for ref in analysed.clause_references},
        document_names=tuple(_as_written(retriever, question, doc_id, at) for doc_id, at in analysed.mentions),
        terms=frozenset(content_terms(question)),
        names=names,
        asks_for_task=asks_for_task(question),
        # In a fixed order: sums over it must not depend on the process's string hashing.
        idf={token: math.log(1 + size / max(frequency.get(token, 0), 1)) for token in sorted(tokens)},
        unknown_words=_unknown_share(latin, frequency),
        unknown_pairs=_unknown_share(han, frequency),
        no_known_words=bool(tokens) and not any(frequency.values()),
        unsaid_names=_unsaid_by_named(retriever, names, analysed.named_documents),
        quotes_clauses=analysed.quotes_clauses,
    )


def _unsaid_by_named(retriever: HybridRetriever, names: frozenset[str], named: frozenset[str]) -> float:
    """The share of `names` that no document of `named` says, its symbol and title included.
    Only names of two words or more count: an acronym is often written out in full where the
    question abbreviates it ("UNMISS", "AMR"). And only Latin names, in the named documents
    not written in Chinese: the forms of a name in a Chinese report are not all known. A
    document's text is read only when some name is to be looked for."""
    checked = [
        name
        for name in sorted(names)
        if len(name.split()) > 1 and not _HAN_CHARACTER.search(name) and not _MONTH.search(name)
    ]
    documents = [retriever.catalog.get(doc_id) for doc_id in sorted(named)]
    texts = [
        " ".join(" ".join([doc.symbol, doc.title, *(p.text for p in passages)]).split()).lower()
        for doc in documents
        if doc.lang != "zh" and checked and (passages := retriever.document_passages(doc.id))
    ]
    if not texts:
        return 0.0
    return sum(not any(occurs(name, text) for text in texts) for name in checked) / len(checked)


def _unknown_share(tokens: Sequence[str], frequency: Mapping[str, int]) -> float:
    return sum(not frequency.get(t) for t in tokens) / len(tokens) if tokens else 0.0


def idf_coverage(question: AskedQuestion, text: str) -> float:
    """The share of the question's idf mass that `text` contains: its rare words count
    most, and a word no clause has counts fully against."""
    total = sum(question.idf.values())
    if not total:
        return 0.0
    said = set(analyse(text))
    return sum(idf for token, idf in question.idf.items() if token in said) / total


def _as_written(retriever: HybridRetriever, question: str, doc_id: str, at: int) -> str:
    """The name of a document the question mentions at `at`, as written there: the longest
    of its names that stands there (the retriever reports where a mention starts)."""
    doc = retriever.catalog.get(doc_id)
    for name in sorted({doc.symbol, doc.short, *doc.aliases}, key=len, reverse=True):
        if question[at : at + len(name)].casefold() == name.casefold():
            return question[at : at + len(name)]
    return question[at:].split()[0] if question[at:].split() else ""


def is_referenced(question: AskedQuestion, hit: Hit, reference: ClauseReference) -> bool:
    """Whether the hit is the referenced clause, one of its subclauses, or the paragraph
    that keeps a referenced subparagraph whole (the retriever pins exactly these)."""
    return hit.passage.doc_id == reference.doc_id and hit.passage.anchor in question.referenced_anchors[reference]


def names_clause(question: AskedQuestion, hit: Hit) -> bool:
    """Whether the hit is a clause the question names (or one of theirs, as above)."""
    return any(is_referenced(question, hit, ref) for ref in question.references)


def missing_references(question: AskedQuestion, hits: Sequence[Hit]) -> int:
    """How many of the clauses the question names retrieval did not return: the retriever
    puts every existing referenced clause first, so one it lacks does not exist
    ("paragraph 140 of A/RES/80/173", which ends at 127)."""
    return sum(not any(is_referenced(question, hit, ref) for hit in hits) for ref in question.references)
