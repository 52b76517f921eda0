"""Where runs come from: retrieval configurations searched in-process through
`HybridRetriever.search` (the API the service calls), or a running service searched as a
black box through `GET /search`. Both record the passage text exactly as returned."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..core.errors import InvalidRequestError, WsisError
from .questions import Question
from .runs import RankedPassage, Run

if TYPE_CHECKING:
    from ..index.api import Filters, HybridRetriever

DEFAULT_CONFIG = "hybrid"
Advance = Callable[[], None]


class ServiceSearchError(WsisError):
    """The service under evaluation could not be reached or answered with an error."""


# The default until 2026-12-01 (BM25 + e5, weighted RRF 2.0 : 0.5, document boost 0.3, no
# front-matter prior): the baseline the default is compared with (docs/benchmarks/history.md, "Choosing
# the default"). Query analysis (ordinals, document names) is today's for every variant.
BASELINE_CONFIG = "bm25+e5-2026-11"
OLD_PRIORS = {"document_boost": 0.3, "front_matter_penalty": 0.0, "cited_by_name": False}


def _baseline(retriever: HybridRetriever) -> HybridRetriever:
    return retriever.with_signals(["bm25", "e5"]).with_fusion(
        weights={"bm25": 2.0, "e5": 0.5},
        cross_lingual={"e5": 1.5, "use": 1.5, "minilm": 0.5},
        method="rrf",
        feedback_terms=0,
        curated_boost=0.0,
        **OLD_PRIORS,
    )


# Named variants of the default hybrid, each one change to its fusion (for ablations).
VARIANTS: dict[str, Callable[[HybridRetriever], HybridRetriever]] = {
    DEFAULT_CONFIG: lambda retriever: retriever,
    BASELINE_CONFIG: _baseline,
    # BM25 + e5 + USE with the priors of the old default (the `hybrid-use` of 2026-12-01).
    "hybrid-old-priors": lambda retriever: retriever.with_fusion(**OLD_PRIORS),
    "hybrid-e5": lambda retriever: retriever.with_signals(["bm25", "e5"]),
    "hybrid-boost0.3": lambda retriever: retriever.with_fusion(document_boost=0.3),
    "hybrid-no-front-matter-penalty": lambda retriever: retriever.with_fusion(front_matter_penalty=0.0),
    "hybrid-no-cited-by-name": lambda retriever: retriever.with_fusion(cited_by_name=False),
    "hybrid-convex": lambda retriever: retriever.with_fusion(
        method="convex", weights={"bm25": 1.0, "e5": 1.0, "use": 1.0}
    ),
    # Termbase off: cross-language only from the models and the default feedback.
    "hybrid-no-termbase": lambda retriever: retriever.with_fusion(termbase=False),
    "hybrid-time": lambda retriever: retriever.with_fusion(time_boost=0.5),
    "hybrid-no-termbase-no-feedback": lambda retriever: retriever.with_fusion(termbase=False, feedback_terms=0),
    "hybrid-no-termbase-x3": lambda retriever: retriever.with_fusion(
        termbase=False, cross_lingual={"e5": 3.0, "use": 3.0, "minilm": 0.5}
    ),
    "hybrid-no-feedback": lambda retriever: retriever.with_fusion(feedback_terms=0),
    # Feedback also where the termbase translates the query.
    "hybrid-feedback-translated": lambda retriever: retriever.with_fusion(feedback_translated=True),
    "hybrid-no-curated": lambda retriever: retriever.with_fusion(curated_boost=0.0),
    "hybrid-no-expansion": lambda retriever: retriever.with_fusion(expand_dense=False),
    "hybrid-no-doc-boost": lambda retriever: retriever.with_fusion(document_boost=0.0),
}


def default_configs(retriever: HybridRetriever) -> list[str]:
    """BM25 alone, each dense encoder of the index alone, the default hybrid, then its
    named variants."""
    return [*retriever.available_signals, *VARIANTS]


def configure(retriever: HybridRetriever, name: str) -> HybridRetriever:
    """The retriever for a configuration name: a named variant, or signals joined by '+'
    ('bm25', 'e5', 'bm25+e5'); unknown names are an `InvalidRequestError`."""
    if name in VARIANTS:
        return VARIANTS[name](retriever)
    signals = [s for s in name.split("+") if s]
    if not signals:
        raise InvalidRequestError(f"empty configuration name {name!r}")
    try:
        return retriever.with_signals(signals)
    except InvalidRequestError as exc:
        raise InvalidRequestError(
            f"unknown configuration {name!r}: use {', '.join(VARIANTS)} or signals joined by '+' ({exc})"
        ) from exc


def run_in_process(
    retriever: HybridRetriever,
    questions: Sequence[Question],
    name: str,
    k: int = 10,
    advance: Advance | None = None,
    filters: Filters | None = None,
) -> Run:
    """Search each question's query; `filters` restrict every search alike (e.g. leave
    near-duplicates of the gold documents out)."""
    results = {}
    for question in questions:
        hits = retriever.search(question.query, k=k, filters=filters)
        results[question.id] = [RankedPassage(id=h.passage.id, score=h.score, text=h.passage.text) for h in hits]
        if advance:
            advance()
    return Run(name=name, results=results)


def run_over_http(
    base_url: str,
    questions: Sequence[Question],
    name: str,
    k: int = 10,
    advance: Advance | None = None,
    timeout_s: float = 60.0,
) -> Run:
    """Ask `GET {base_url}/search?q=...&k=...` for each question and keep the returned text."""
    import httpx

    from ..index.api import SearchResponse

    results = {}
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s) as client:
        for question in questions:
            try:
                response = client.get("/search", params={"q": question.query, "k": k})
            except httpx.HTTPError as exc:
                raise ServiceSearchError(f"{base_url}: cannot search for {question.id} ({exc})") from exc
            if response.status_code != 200:
                raise ServiceSearchError(
                    f"{base_url}/search answered {response.status_code} for {question.id}: {response.text[:300]}"
                )
            body = SearchResponse.model_validate(response.json())
            results[question.id] = [RankedPassage(id=r.id, score=r.score, text=r.text) for r in body.results]
            if advance:
                advance()
    return Run(name=name, results=results)
