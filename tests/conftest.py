"""Shared fixtures: the real corpus in <shared_dir>/corpus, the real index, the live server
and Chromium; and the hook that sorts the tests into layers.

The layers are told apart by what a test uses, not by where its file lies: a test that
asks (directly or through other fixtures) for one of `INTEGRATION_FIXTURES` needs the
real world and is marked `integration`; one that asks for `chromium` is also `browser`.
So a new test is put in the right layer without anyone remembering a marker, and
`-m "not integration"` (`./test.sh --quick`) runs the unit layer only. A test that
reaches the real world without these fixtures (loading a real encoder by name) carries
`@pytest.mark.integration` itself; the unit layer's own fixtures (tests/core/conftest.py)
are hand-made and built in milliseconds."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wsis_rag.core.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from wsis_rag.index.retriever import HybridRetriever

INTEGRATION_FIXTURES = frozenset(
    {
        "shared_corpus",
        "shared_pdf",
        "wsis_docs",
        "dev_set",
        "built_index",
        "retriever",
        "live_server",
        "small_collection",
        "collection_index",
        "collection_retriever",
        "ten_document_index",
    }
)
BROWSER_FIXTURES = frozenset({"chromium"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & (INTEGRATION_FIXTURES | BROWSER_FIXTURES):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    corpus = Settings().shared_dir / "corpus"
    if not corpus.is_dir():
        pytest.fail(f"the shared corpus is missing: {corpus} (set WSIS_SHARED_DIR)")
    return corpus


@pytest.fixture(scope="session")
def shared_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdf"


@pytest.fixture(scope="session")
def wsis_docs() -> Path:
    """The WSIS-process resolutions as pdftotext text (<shared_dir>/wsis-docs)."""
    directory = Settings().shared_dir / "wsis-docs"
    if not directory.is_dir():
        pytest.fail(f"the WSIS documents are missing: {directory} (set WSIS_SHARED_DIR)")
    return directory


@pytest.fixture(scope="session")
def dev_set() -> Path:
    path = Settings().dev_set
    if not path.is_file():
        pytest.fail(f"the dev question set is missing: {path} (set WSIS_SHARED_DIR or WSIS_DEV_SET)")
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave what a person may want to look at (screenshots, notes)."""
    path = PROJECT_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def _built_index(tmp_path_factory: pytest.TempPathFactory, name: str, **fields: object) -> Settings:
    """Settings of an index built under a fresh `name` directory from `fields` (its corpus,
    library and collections), every field that shapes an index at its default, so no WSIS_*
    variable leaks in. The session's builds run one at a time across the test workers (pytest-xdist: each
    worker builds its own session indexes): a build embeds on every core, and the second
    build of a corpus then takes its vectors from the shared embedding cache."""
    from wsis_rag.index.store.builder import build_index

    shaping = ("encoders", "e5_backend", "minilm_backend", "exact_search_max", "max_passage_tokens")
    defaults = {field: Settings.model_fields[field].get_default(call_default_factory=True) for field in shaping}
    settings = Settings(index_dir=tmp_path_factory.mktemp(name) / "index", **fields, **defaults)
    with open(tmp_path_factory.getbasetemp().parent / "wsis-session-builds.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        build_index(settings)
    return settings


# The small test collection: documents of the real UN collection that the retrieval tests
# ask about (the 2024 ICT resolution and its 2025 draft, the 2024 AI resolution, the ocean
# declaration, two sessions of a yearly resolution and their draft, two sessions of another
# whose texts differ more, a convention adopted as an annex and a resolution in sections,
# whose clauses are cited by article and by section), and the collection's first short
# adopted resolutions as the crowd they must be found in.
SMALL_COLLECTION_NAMED = (
    "A/RES/79/194", "A/C.2/80/L.17", "A/RES/78/265", "A/RES/79/314", "A/RES/78/13", "A/RES/80/13", "A/C.1/80/L.10",
    "A/RES/78/71", "A/RES/79/85",
    "A/RES/79/301", "A/RES/79/303", "A/RES/79/307", "A/RES/79/309",
    "A/RES/80/162", "A/RES/78/247",
)  # fmt: skip
SMALL_COLLECTION_CROWD = 24


@pytest.fixture(scope="session")
def small_collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bulk collection file of about thirty real UN documents, cut from the shared one."""
    import gzip
    import json

    source = Settings().shared_dir / "un-corpus" / "un-documents-78-80.jsonl.gz"
    if not source.is_file():
        pytest.fail(f"the UN collection is missing: {source}")
    path = tmp_path_factory.mktemp("collection") / "small.jsonl.gz"
    crowd = 0
    with gzip.open(source, "rt", encoding="utf-8") as lines, gzip.open(path, "wt", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            named = record["symbol"] in SMALL_COLLECTION_NAMED
            short = record["symbol"].startswith("A/RES/") and len(record["text"]) < 15_000
            if named or (short and crowd < SMALL_COLLECTION_CROWD):
                crowd += not named
                out.write(line)
    return path


@pytest.fixture(scope="session")
def collection_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path, small_collection: Path) -> Settings:
    """Settings whose index holds the three WSIS documents and the small collection, built
    with the real encoders (vectors of unchanged texts from the embedding cache in var/)."""
    library = tmp_path_factory.mktemp("collection-library")
    return _built_index(
        tmp_path_factory,
        "collection-index",
        corpus_dirs=[shared_corpus],
        library_dir=library,
        collections=[small_collection],
    )


@pytest.fixture(scope="session")
def collection_retriever(collection_index: Settings) -> HybridRetriever:
    from wsis_rag.index.api import load_retriever

    return load_retriever(collection_index)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Settings:
    """Settings whose index_dir holds a fresh index of the three WSIS documents, built once
    per session (vectors of unchanged texts come from the embedding cache in var/)."""
    return _built_index(tmp_path_factory, "index", corpus_dirs=[shared_corpus])


@pytest.fixture(scope="session")
def ten_document_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path, wsis_docs: Path) -> Settings:
    """The index `./run.sh` builds: the three documents, A/RES/70/125 and six WSIS-process
    resolutions (the answers' calibration is fitted on it); built once per session, after
    built_index its new texts are the seven resolutions alone."""
    return _built_index(tmp_path_factory, "index", corpus_dirs=[shared_corpus, wsis_docs])


@pytest.fixture(scope="session")
def retriever(built_index: Settings) -> HybridRetriever:
    from wsis_rag.index.store.versions import load_retriever

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
