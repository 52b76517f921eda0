"""wsis-rag: cited, cross-lingual retrieval over the WSIS corpus.

The package root holds nothing else. The code lives in the top-level folders, each
installed as a subpackage: `core` (settings, errors, vocabulary) -> `corpus` -> `ingest` ->
`index` -> `products` (answers, briefs, mandates, documents) -> `service` (HTTP, web page);
`eval` scores the index through the same retrieval API; `cli` is the command-line root.
"""
