"""Domain errors. The service maps each to an HTTP status in one place
(service/errors.py); the CLI prints them and exits non-zero."""

from __future__ import annotations


class WsisError(Exception):
    """Base of every error the library raises on purpose."""


class IngestError(WsisError):
    """A file could not be ingested (broken, encrypted, empty, unsupported)."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[IngestError], tuple[object, str]]:
        # Rebuilt from (path, reason), not from the message: a worker process (a Ray
        # ingest task) hands its failures back pickled.
        return (type(self), (self.path, self.reason))


class NotFoundError(WsisError):
    """An id (document, passage) that the index does not hold."""


class InvalidRequestError(WsisError):
    """A request that is well-formed but cannot be served (bad id, unknown filter value)."""


class IndexNotReadyError(WsisError):
    """No usable index on disk: build one with `wsis index build`."""


class IndexDamagedError(IndexNotReadyError):
    """An index on disk that fails its checks (checksum, row counts, unreadable manifest):
    refused rather than served."""


class FetchError(WsisError):
    """A corpus document could not be downloaded."""


class ConfigError(WsisError):
    """A setting names something this installation cannot provide (e.g. an encoder backend)."""
