"""What the benchmarks read: the shared corpus, the dev questions and the UN collection
(`WSIS_SHARED_DIR`, ../shared beside the checkout)."""

from __future__ import annotations

import json
from pathlib import Path

from ...core.settings import Settings

SHARED = Settings().shared_dir
DEV_SET = Settings().dev_set
CORPUS = SHARED / "corpus"
UN_COLLECTION = SHARED / "un-corpus" / "un-documents-78-80.jsonl.gz"


def set_queries(path: Path) -> list[str]:
    """The `query` of every line of a question set (JSON Lines)."""
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def dev_queries() -> list[str]:
    return set_queries(DEV_SET)
