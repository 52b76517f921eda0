"""What the routers receive by dependency injection: the one Settings object and the
retriever of the index version being served (503 problem while none is).

Live swap: `ServiceState.refresh` loads the version `settings.index_dir` points at when it
differs from the served one, verifies it, and replaces the served retriever in one
assignment. A request takes its retriever once, at its start (`RetrieverDep`), so it runs
wholly on one version; a swap never waits for requests and never fails one. A version
that fails its checks is not served: the previous good one stays, and /readyz says why.
The served version is leased (`VersionLease`), so no build deletes it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from ..core.errors import IndexNotReadyError
from ..core.settings import Settings
from ..index.api import HybridRetriever, VersionLease, current_version, load_version

logger = logging.getLogger(__name__)


def warm_up(retriever: HybridRetriever) -> None:
    """Ready means fast: the default signals' models, the stemmer and the termbase load
    here, before a retriever is served, not in a user's first search."""
    retriever.search("WSIS follow-up", k=1)


@dataclass
class ServiceState:
    """Held on `app.state.service`: the settings, and the retriever being served."""

    settings: Settings
    retriever: HybridRetriever | None = None
    load_error: str | None = None  # why nothing is served (no retriever)
    swap_error: str | None = None  # why the newest version is not served (a retriever is)
    _version: Path | None = None
    _lease: VersionLease | None = None
    _refused: Path | None = None  # a version that failed its checks: not retried
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> bool:
        """Serve the version the index link points at now, if it is new and sound.
        True when a new version is now served."""
        with self._lock:
            index_dir = self.settings.index_dir
            version = current_version(index_dir)
            if version in (self._version, self._refused):
                return False
            started = time.perf_counter()
            try:
                lease = VersionLease(version)
            except FileNotFoundError:
                self._fail(f"no index at {index_dir}: build one with `wsis index build`", None)
                return False
            try:
                retriever = load_version(index_dir, version)
                warm_up(retriever)
            except (OSError, IndexNotReadyError) as error:
                lease.release()
                self._fail(str(error), version)
                return False
            previous, old_lease = self._version, self._lease
            self.retriever, self._version, self._lease = retriever, version, lease
            self.load_error = self.swap_error = None
            if old_lease is not None:
                old_lease.release()
            logger.info(
                "serving index version %s (%d passages)%s after %.0f ms",
                version.name,
                len(retriever.passages),
                f", replacing {previous.name}" if previous else "",
                (time.perf_counter() - started) * 1000,
            )
            return True

    def _fail(self, reason: str, version: Path | None) -> None:
        self._refused = version
        if self.retriever is None:
            self.load_error = reason
            logger.error("no index served: %s", reason)
        else:
            self.swap_error = reason
            logger.error("still serving %s; not the new version: %s", self._version, reason)

    def watch(self, stop: threading.Event) -> None:
        """Refresh every `index_watch_s` until `stop` is set (run in a thread)."""
        while not stop.wait(self.settings.index_watch_s):
            try:
                self.refresh()
            except Exception:  # the watcher must outlive any one failed attempt
                logger.exception("looking for a new index version failed")

    def close(self) -> None:
        if self._lease is not None:
            self._lease.release()
            self._lease = None


def _state(request: Request) -> ServiceState:
    return request.app.state.service


# The dependencies are coroutines: FastAPI runs a plain function dependency on the thread
# pool, a round trip per dependency per request for what is one attribute read.
async def _settings(request: Request) -> Settings:
    return _state(request).settings


async def _retriever(request: Request) -> HybridRetriever:
    retriever = _state(request).retriever  # read once: the whole request uses this version
    if retriever is None:
        raise IndexNotReadyError(_state(request).load_error or "The index is still loading.")
    return retriever


SettingsDep = Annotated[Settings, Depends(_settings)]
RetrieverDep = Annotated[HybridRetriever, Depends(_retriever)]
