"""Shared fixtures: the real corpus in ../shared/corpus and the settings that point at it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wsis_rag.settings import PROJECT_ROOT

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
