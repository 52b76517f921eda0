"""Ingestion: files -> normalised text -> structured clauses -> passages with citations."""
