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
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core.settings import PROJECT_ROOT
from .embedders import Embedder

DEFAULT_CACHE_DIR = PROJECT_ROOT / "var" / "embedding-cache"


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedPassageEncoder:
    def __init__(self, embedder: Embedder, root: Path = DEFAULT_CACHE_DIR) -> None:
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
        self, texts: list[str], encode: Callable[[list[str]], np.ndarray] | None = None
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` and how many of them had to be encoded. `encode` runs the
        encoder on the texts the cache lacks (default: this process's embedder; the Ray
        runner passes its cluster's)."""
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32), 0
        table = self._read()
        keys = [_text_key(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in table))
        if todo:
            by_key = dict(zip(keys, texts, strict=True))
            fresh = (encode or self.embedder.embed_passages)([by_key[k] for k in todo])
            table.update(zip(todo, fresh, strict=True))
            self._write(table)
        return np.stack([table[k] for k in keys]).astype(np.float32), len(todo)
