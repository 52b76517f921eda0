"""The search settings: one flat set of knobs (what evaluation varies by name through
`HybridRetriever.with_fusion`), handing each stage its own part. The quality of the default
is on BENCHMARKS.md ("Quality of the default"); the figures that chose each setting are in
docs/decisions/."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..query import QueryOptions
from .feedback import FeedbackConfig
from .focus import FocusConfig
from .fusion import SignalWeights
from .priors import PriorConfig, PriorStrengths
from .sentences import SentenceConfig
from .titles import TitleConfig


@dataclass(frozen=True)
class FusionConfig:
    # Signals and fusion (signals.py, fusion.py).
    default_signals: tuple[str, ...] = ("bm25", "e5", "use")
    weights: Mapping[str, float] = field(default_factory=lambda: {"bm25": 2.0, "e5": 0.5, "use": 0.5})
    cross_lingual: Mapping[str, float] = field(default_factory=lambda: {"e5": 1.5, "use": 1.5, "minilm": 0.5})
    method: str = "rrf"  # "rrf" (weighted reciprocal rank) or "convex" (normalised scores)
    depth: int = 100  # candidates taken from each signal
    # Query understanding (query.py).
    expand_dense: bool = True  # add termbase equivalents to the query the encoders see
    strip_mentions: bool = True  # signals ignore the word names (not symbols) of documents the query names
    termbase: bool = True  # expand queries with the termbase at all (off: cross-lingual from the models alone)
    dictionary: bool = True  # Chinese questions: English glosses of their words join BM25 (dictionary.py)
    # ... and their everyday words, rare only in a mostly English index, are left to those
    # glosses (dictionary.generic_words).
    generic_words: bool = True
    # Cross-lingual feedback (feedback.py, docs/decisions/cross-lingual-feedback.md).
    feedback_terms: int = 10
    feedback_passages: int = 5
    feedback_translated: bool = False
    # Priors (priors.py, docs/decisions/document-priors.md).
    document_boost: float = 0.6
    cited_by_name: bool = True
    front_matter_penalty: float = 0.5
    curated_boost: float = 0.3
    curated_rank: int = 10  # the curated bonus only for rows a signal ranks this high (0: every row)
    draft_penalty: float = 0.3
    superseded_penalty: float = 0.3
    time_boost: float = 0.3
    # The focus round (focus.py, docs/decisions/focus-round.md; 0 documents = off).
    focus_documents: int = 3
    focus_per_signal: int = 5
    focus_idf: bool = True
    focus_prefetch_rows: int = 2048  # on a shard set: rows of likely focus documents fetched early
    # The named round: the named documents' clauses ranked among themselves, their scores
    # there times this weight (focus.py; 0 = off).
    named_weight: float = 0.6
    # Documents whose title the question uses join the focus (titles.py; 0 = off).
    title_coverage: float = 0.5
    title_documents: int = 3
    title_boost: float = 0.3
    # One result per group of near-identical clauses (grouping.py).
    group_duplicates: bool = True
    # The first page's places after `sentence_keep`, up to `sentence_candidates`, ordered
    # again with their best sentence's e5 cosine (sentences.py; weight 0 = off).
    sentence_keep: int = 5
    sentence_candidates: int = 30
    sentence_weight: float = 1.0
    # The first page ordered again by the rerank model (rerank.py, docs/decisions/rerank.md).
    rerank: bool = True

    def query_options(self) -> QueryOptions:
        return QueryOptions(
            strip_mentions=self.strip_mentions,
            termbase=self.termbase,
            expand_dense=self.expand_dense,
            dictionary=self.dictionary,
        )

    def signal_weights(self) -> SignalWeights:
        return SignalWeights(self.method, self.weights, self.cross_lingual)

    def feedback(self) -> FeedbackConfig:
        return FeedbackConfig(self.feedback_terms, self.feedback_passages, self.feedback_translated)

    def priors(self) -> PriorConfig:
        strengths = PriorStrengths(self.curated_boost, self.draft_penalty, self.superseded_penalty, self.time_boost)
        return PriorConfig(
            self.document_boost,
            self.cited_by_name,
            self.front_matter_penalty,
            strengths,
            self.curated_rank,
        )

    def titles(self) -> TitleConfig:
        return TitleConfig(self.title_coverage, self.title_documents)

    def sentences(self) -> SentenceConfig:
        return SentenceConfig(self.sentence_keep, self.sentence_candidates, self.sentence_weight)

    def focus(self) -> FocusConfig:
        return FocusConfig(self.focus_documents, self.focus_per_signal, self.focus_idf, self.focus_prefetch_rows)
