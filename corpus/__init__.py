"""The corpus: its manifest (what the documents are, how to cite them, where they live)
and the code that finds, fetches and caches their texts."""
