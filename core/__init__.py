"""The ground floor every step stands on: settings, domain errors, the shared vocabulary
(documents, citations, clauses, passages) and the command line's tables. It imports no
other part of wsis-rag."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wsis-rag")  # the one version: pyproject's, as installed
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
