"""What a search returns, shared by the retrieval API, `wsis search --json`, `GET /search`
and the evaluation harness, so that all of them speak one shape."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, computed_field

from ..core.vocabulary import Citation, DocType, Passage

if TYPE_CHECKING:
    from .retriever import HybridRetriever


class Filters(BaseModel):
    """Restrictions applied identically to every retrieval signal. Empty = no restriction."""

    doc: list[str] = Field(default_factory=list, description="Document ids or symbols (any alias the manifest knows).")
    lang: list[str] = Field(default_factory=list, description="Passage languages, e.g. ['en', 'zh'].")
    type: list[DocType] = Field(default_factory=list)
    body: list[str] = Field(default_factory=list, description="Issuing bodies, e.g. 'UN General Assembly'.")
    year: list[int] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.doc or self.lang or self.type or self.body or self.year)


class AlsoIn(BaseModel):
    """Another clause of the same language (near-identical text) in another place: what
    a result lists in `also_in` instead of showing it as a result of its own."""

    id: str = Field(description="Passage id, e.g. 'a-res-79-194:para-12'.")
    label: str = Field(description="Citation label, e.g. 'A/RES/79/194, para. 12'.")
    symbol: str
    year: int | None = None

    @classmethod
    def from_passage(cls, passage: Passage) -> AlsoIn:
        return cls(id=passage.id, label=passage.label, symbol=passage.symbol, year=passage.year)


# A boilerplate footnote ("Resolution 70/1.") recurs in hundreds of documents: a result
# lists this many of its copies and counts the rest.
ALSO_IN_MAX = 20
ALSO_IN_FIELD: Any = Field(
    default_factory=list,
    description=f"Near-identical clauses elsewhere (other years, drafts, documents), latest first; "
    f"at most {ALSO_IN_MAX} of them, `also_in_total` in all.",
)
ALSO_IN_TOTAL_FIELD: Any = Field(default=0, description="How many near-identical clauses there are in all.")
SCORE_FIELD: Any = Field(
    description=(
        "Ranking score, falling with rank: the signals' fused score with the priors. Below the first "
        "places a clause whose best sentence is close to the query may climb; it takes the score of "
        "the place it climbs to."
    )
)


class Hit(BaseModel):
    """One ranked passage with the evidence of how it got there."""

    rank: int = Field(description="1-based rank in the fused list.")
    score: float = SCORE_FIELD
    passage: Passage
    signals: dict[str, int] = Field(
        default_factory=dict, description="Rank each signal gave the passage (1-based), e.g. {'bm25': 3, 'e5': 1}."
    )
    matched_terms: list[str] = Field(
        default_factory=list,
        description="Words of the passage text that match the query or its expansions, as written in the text.",
    )
    also_in: list[AlsoIn] = ALSO_IN_FIELD
    also_in_total: int = ALSO_IN_TOTAL_FIELD


class SearchResult(BaseModel):
    """One element of `results` in the search response body."""

    rank: int
    score: float = SCORE_FIELD
    id: str
    text: str = Field(description="The clause text as cited.")
    citation: Citation
    lang: str
    heading: str | None = None
    matched_terms: list[str] = Field(
        default_factory=list,
        description="Words of `text` that match the query's terms (or their equivalents), for highlighting.",
    )
    also_in: list[AlsoIn] = ALSO_IN_FIELD
    also_in_total: int = ALSO_IN_TOTAL_FIELD

    @classmethod
    def from_hit(cls, hit: Hit) -> SearchResult:
        p = hit.passage
        return cls(
            rank=hit.rank,
            score=round(hit.score, 6),
            id=p.id,
            text=p.text,
            citation=p.citation,
            lang=p.lang,
            heading=p.heading,
            matched_terms=hit.matched_terms,
            also_in=hit.also_in,
            also_in_total=hit.also_in_total,
        )


class MissingDocument(BaseModel):
    """A document the query names by symbol that the index does not hold: no result comes
    from it, whatever the results say of it."""

    symbol: str = Field(description="The symbol as the query writes it, e.g. '80/118' or 'A/RES/80/118'.")
    cited_by: int = Field(description="Indexed passages that cite the symbol (0: the corpus never mentions it).")


MISSING_DOCUMENTS_FIELD: Any = Field(
    default_factory=list,
    description="Documents the query names by symbol that the index does not hold (empty when it holds every one).",
)


class MissingClause(BaseModel):
    """A paragraph the query names that its document does not have ("paragraph 140 of
    A/RES/80/173", which ends at para. 127): no result is that clause."""

    doc_id: str
    symbol: str = Field(description="The document's symbol, e.g. 'A/RES/80/173'.")
    locator: str = Field(description="The clause as the document would number it, e.g. 'para. 140'.")

    @computed_field(description="The same as a sentence: 'A/RES/80/173 has no para. 140'.")  # type: ignore[prop-decorator]
    @property
    def statement(self) -> str:
        return f"{self.symbol} has no {self.locator}"


MISSING_CLAUSES_FIELD: Any = Field(
    default_factory=list,
    description="Paragraphs the query names that their (indexed) document does not have.",
)


def lacking(documents: Sequence[MissingDocument], clauses: Sequence[MissingClause]) -> list[str]:
    """What a query names that the corpus lacks, a line each, as the command line prints it:
    "not in the corpus: 80/118", "A/RES/80/173 has no para. 140"."""
    return [f"not in the corpus: {document.symbol}" for document in documents] + [c.statement for c in clauses]


def clause_locator(anchor: str) -> str:
    """How a paragraph anchor reads in a citation: "para-140" -> "para. 140", "para-5-b" ->
    "para. 5 (b)", "preamble-3" -> "preambular para. 3", "s3-p9" -> "section 3, para. 9"."""
    report = re.fullmatch(r"s(\d+)-p(\d+)", anchor)
    if report:
        return f"section {report[1]}, para. {report[2]}"
    kind, _, rest = anchor.partition("-")
    number, *subs = rest.split("-")
    word = {"para": "para.", "preamble": "preambular para."}.get(kind, kind)
    return " ".join([word, number, *(f"({sub})" for sub in subs)])


class SearchResponse(BaseModel):
    """Body of `GET/POST /search`, printed verbatim by `wsis search --json`."""

    query: str
    results: list[SearchResult]
    missing_documents: list[MissingDocument] = MISSING_DOCUMENTS_FIELD
    missing_clauses: list[MissingClause] = MISSING_CLAUSES_FIELD
    took_ms: float


def search_response(
    retriever: HybridRetriever, query: str, k: int = 10, filters: Filters | None = None
) -> SearchResponse:
    """Run one search and shape it as the response body (timed end to end)."""
    started = time.perf_counter()
    hits = retriever.search(query, k=k, filters=filters)
    missing = retriever.missing_documents(query)
    took_ms = (time.perf_counter() - started) * 1000
    return SearchResponse(
        query=query,
        results=[SearchResult.from_hit(h) for h in hits],
        missing_documents=missing,
        missing_clauses=retriever.missing_clauses(query),
        took_ms=round(took_ms, 2),
    )
