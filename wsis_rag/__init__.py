"""wsis-rag: cited, cross-lingual retrieval over the WSIS corpus.

The flow is `ingest` (files -> clauses -> cited passages) -> `index` (embeddings, FAISS,
BM25, fusion, persistence) -> `service` (HTTP, web page, briefings); `eval` scores the
index through the same retrieval API the service uses.
"""

__version__ = "0.1.0"
