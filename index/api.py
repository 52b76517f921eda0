"""The index's public API: everything the products, the service and the steps' command
lines use of it. The rest of `index/` (the search stages, the encoders, the store, the
scale-out) is internal and may move; the import contracts in pyproject.toml keep products
and service to this module.
"""

from __future__ import annotations

from .analysis import analyse
from .catalog import DocumentCatalog, UnknownDocumentError
from .dictionary import chinese_words, load_dictionary
from .encoders.embedders import Embedder, new_embedder
from .lineage import LineageTable, ReferenceEdge
from .references import ClauseReference, DocumentMentions
from .results import (
    Filters,
    Hit,
    MissingClause,
    MissingDocument,
    SearchResponse,
    SearchResult,
    lacking,
    search_response,
)
from .retriever import DocumentSize, FusionConfig, HybridRetriever
from .scale.ray_shards import serve_index_on_ray
from .search.rerank import RERANK_FEATURES, RERANK_PATH, QueryFacts, candidate_features, page_of
from .sentences import SENTENCE_ENCODER, sentence_encoders
from .store.builder import BuildReport, build_index, build_retriever, is_stale, stale_reasons
from .store.versions import VersionLease, current_version, load_retriever, load_version, read_manifest
from .termbase import load_termbase
from .versions import YEARLY_SUCCESSOR

__all__ = [
    "BuildReport",
    "ClauseReference",
    "DocumentCatalog",
    "DocumentMentions",
    "DocumentSize",
    "Embedder",
    "Filters",
    "FusionConfig",
    "Hit",
    "LineageTable",
    "MissingClause",
    "MissingDocument",
    "QueryFacts",
    "RERANK_FEATURES",
    "RERANK_PATH",
    "ReferenceEdge",
    "SENTENCE_ENCODER",
    "HybridRetriever",
    "SearchResponse",
    "SearchResult",
    "UnknownDocumentError",
    "VersionLease",
    "YEARLY_SUCCESSOR",
    "analyse",
    "build_index",
    "build_retriever",
    "candidate_features",
    "chinese_words",
    "current_version",
    "is_stale",
    "lacking",
    "load_retriever",
    "load_dictionary",
    "load_termbase",
    "load_version",
    "new_embedder",
    "page_of",
    "read_manifest",
    "search_response",
    "sentence_encoders",
    "serve_index_on_ray",
    "stale_reasons",
]
