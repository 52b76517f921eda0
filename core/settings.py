"""The one settings object read by the CLI and the service.

Every field can be set by an environment variable `WSIS_<FIELD>` (e.g. `WSIS_PORT=9000`,
`WSIS_CORPUS_DIRS='["/data/wsis"]'`) or a `.env` file in the working directory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _default_corpus_dirs() -> list[Path]:
    # Downloaded documents first, then the shared corpus that sits beside a checkout.
    return [PROJECT_ROOT / "corpus" / "cache", PROJECT_ROOT.parent / "shared" / "corpus"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WSIS_", env_file=".env", extra="ignore")

    # Corpus
    corpus_dirs: list[Path] = Field(default_factory=_default_corpus_dirs)
    cache_dir: Path = PROJECT_ROOT / "corpus" / "cache"
    fetch_timeout_s: float = 30.0
    fetch_retries: int = 3

    # Ingestion
    max_passage_tokens: int = 256

    # Index
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    encoders: list[str] = Field(
        default_factory=lambda: ["e5", "minilm", "use"],
        description=(
            "Dense encoders embedded into the index, by registry name. The default search "
            "fuses the ones FusionConfig.default_signals names (BM25 + e5); the others stay "
            "searchable alone, for evaluation and comparison."
        ),
    )
    exact_search_max: int = Field(
        50_000, description="Above this many passages FAISS uses HNSW instead of exact search."
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


@lru_cache
def get_settings() -> Settings:
    return Settings()
