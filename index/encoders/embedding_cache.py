"""Passage vectors kept by (encoder model, exact text) across builds and index directories.

Encoding is the slow part of a build (multilingual-e5 runs at a few passages per second
on a busy 2-core machine); a text already embedded by the same model is never embedded
again, whichever index asks. The vectors are a pure function of model and text, so a
cached row is exactly what re-embedding would give.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .embedders import Embedder

# Texts per encoder call. Texts are sorted by length first, so a batch pads to texts of
# about its own length rather than to the longest of the corpus.
BATCH = 32
# A long build writes what it has embedded this often, so an interrupted one keeps it.
CHECKPOINT_S = 120.0


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedPassageEncoder:
    def __init__(self, embedder: Embedder, root: Path) -> None:
        self.embedder = embedder
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{embedder.name}-{embedder.model_id}")[:120]
        self.path = root / f"{slug}-{embedder.dim}.npz"

    def _read(self) -> dict[str, np.ndarray]:
        if not self.path.is_file():
            return {}
        try:
            with np.load(self.path) as data:
                return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            return {}  # a damaged cache is only a slower build

    def _write(self, table: dict[str, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=np.array(list(table)), vectors=np.stack(list(table.values())).astype(np.float32))
        os.replace(tmp, self.path)

    def embed_passages(
        self,
        texts: list[str],
        progress: Callable[[int, int], None] | None = None,
        encode: Callable[[list[str]], np.ndarray] | None = None,
        chunk: int = BATCH,
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` and how many of them had to be encoded; `progress(done,
        todo)` is called after each chunk. `encode` runs the encoder on a chunk of the texts
        the cache lacks (default: this process's embedder; the Ray runner passes its
        cluster's, with chunks large enough to keep every worker busy)."""
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32), 0
        table = self._read()
        keys = [_text_key(t) for t in texts]
        by_key = dict(zip(keys, texts, strict=True))
        todo = sorted(dict.fromkeys(k for k in keys if k not in table), key=lambda k: len(by_key[k]))
        last_write = time.monotonic()
        run = encode or self.embedder.embed_passages
        for start in range(0, len(todo), chunk):
            batch = todo[start : start + chunk]
            table.update(zip(batch, run([by_key[k] for k in batch]), strict=True))
            if progress is not None:
                progress(start + len(batch), len(todo))
            if time.monotonic() - last_write > CHECKPOINT_S:
                self._write(table)
                last_write = time.monotonic()
        if todo:
            self._write(table)
        return np.stack([table[k] for k in keys]).astype(np.float32), len(todo)
