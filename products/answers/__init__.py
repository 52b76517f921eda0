"""Extractive answers: verbatim sentences of the retrieved clauses, each cited."""
