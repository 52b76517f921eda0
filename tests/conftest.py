"""Shared fixtures: the real corpus in ../shared/corpus and the settings that point at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wsis_rag.core.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from wsis_rag.index.retriever import HybridRetriever

SHARED = Path(os.environ.get("WSIS_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
SHARED_CORPUS = SHARED / "corpus"
SHARED_PDF = SHARED_CORPUS / "pdf"
DEV_SET = SHARED / "eval" / "dev.jsonl"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing: {SHARED_CORPUS} (set WSIS_SHARED_DIR)")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def shared_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdf"


@pytest.fixture(scope="session")
def dev_set() -> Path:
    if not DEV_SET.is_file():
        pytest.fail(f"the dev question set is missing: {DEV_SET}")
    return DEV_SET


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave what a person may want to look at (screenshots, notes)."""
    path = PROJECT_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Settings:
    """Settings whose index_dir holds a fresh index of the default corpus, built once per
    session (vectors of unchanged texts come from the embedding cache in var/)."""
    from wsis_rag.index.builder import build_index

    # Every field that shapes the index is given, so no WSIS_* variable leaks in.
    shaping = ("encoders", "exact_search_max", "max_passage_tokens")
    defaults = {name: Settings.model_fields[name].get_default(call_default_factory=True) for name in shaping}
    settings = Settings(index_dir=tmp_path_factory.mktemp("index") / "index", corpus_dirs=[shared_corpus], **defaults)
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def retriever(built_index: Settings) -> HybridRetriever:
    from wsis_rag.index.store import load_retriever

    return load_retriever(built_index)


@pytest.fixture(scope="session")
def live_server(built_index: Settings, retriever: HybridRetriever) -> Iterator[str]:
    """Base URL of the real app served by uvicorn on a free 127.0.0.1 port."""
    from http_server import running_server

    from wsis_rag.service.app import create_app

    with running_server(create_app(built_index, retriever)) as url:
        yield url


CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, and no background traffic: this machine's network is closed.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (never `playwright install`: no downloads here)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
