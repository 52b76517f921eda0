"""The index on disk: atomic replacement, incremental rebuilds, staleness, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from wsis_rag.core.errors import IndexNotReadyError
from wsis_rag.core.settings import PROJECT_ROOT, Settings
from wsis_rag.index.store import builder, versions
from wsis_rag.index.store.builder import build_index, is_stale, stale_reasons
from wsis_rag.index.store.versions import load_retriever

REPORT = "ITU_Council_2026_CWG-WSIS-SDG_chair_report_zh.txt"
GDC = "A_RES_79_1_annexI_Global_Digital_Compact_en.md"


def _small_corpus(tmp_path: Path, shared_corpus: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (REPORT, GDC):
        (corpus / name).write_bytes((shared_corpus / name).read_bytes())  # writable copies
    return corpus


def _settings(tmp_path: Path, corpus: Path, encoders: list[str] | None = None) -> Settings:
    return Settings(index_dir=tmp_path / "var" / "index", corpus_dirs=[corpus], encoders=encoders or ["use"])


@pytest.fixture
def small_index(tmp_path: Path, shared_corpus: Path) -> Settings:
    settings = _settings(tmp_path, _small_corpus(tmp_path, shared_corpus))
    build_index(settings)
    return settings


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotReadyError, match="wsis index build"):
        load_retriever(Settings(index_dir=tmp_path / "nothing", corpus_dirs=[tmp_path]))


def test_build_writes_a_loadable_index(small_index: Settings) -> None:
    assert small_index.index_dir.is_symlink()
    retriever = load_retriever(small_index)
    info = retriever.info()
    assert info["format_version"] == versions.FORMAT_VERSION
    assert set(info["encoders"]) == {"use"} and info["encoders"]["use"]["dim"] == 512
    assert {d.id for d in retriever.documents} == {"council-report-2026", "gdc"}
    assert info["passages"] == len(retriever.passages) > 100
    hits = retriever.search("全球数字契约 开源软件", k=3)
    assert hits and hits[0].passage.doc_id == "gdc"
    assert not is_stale(small_index)


def test_rebuild_reembeds_only_the_changed_document(small_index: Settings) -> None:
    before = load_retriever(small_index)
    old_gdc_rows = [i for i, p in enumerate(before.passages) if p.doc_id == "gdc"]
    old_vectors = versions.load_vectors(small_index.index_dir, "use")[old_gdc_rows]
    report_file = small_index.corpus_dirs[0] / REPORT
    report_file.write_text(
        report_file.read_text(encoding="utf-8") + "\n工作组欢迎关于海底电缆韧性的新提案。\n", encoding="utf-8"
    )
    assert stale_reasons(small_index) == ["council-report-2026: source changed"]

    report = build_index(small_index)

    assert report.full_rebuild_reason is None
    assert report.embedded_documents == ["council-report-2026"]
    assert report.reused_documents == ["gdc"]
    after = load_retriever(small_index)
    new_gdc_rows = [i for i, p in enumerate(after.passages) if p.doc_id == "gdc"]
    assert np.array_equal(versions.load_vectors(small_index.index_dir, "use")[new_gdc_rows], old_vectors)
    assert any("海底电缆" in p.text for p in after.passages)
    assert not is_stale(small_index)


def test_an_index_read_by_older_readers_is_stale_and_read_again(
    small_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builder, "READER_VERSION", builder.READER_VERSION + 1)
    assert stale_reasons(small_index) == [
        f"the readers changed (version {builder.READER_VERSION - 1} -> {builder.READER_VERSION}): "
        "documents are read again"
    ]
    report = build_index(small_index)
    assert report.full_rebuild_reason is None  # the vectors of unchanged texts are kept
    assert report.reused_documents == []  # but no passage made by the older readers
    assert not is_stale(small_index)


def test_an_index_whose_bm25_another_analyser_wrote_is_stale_and_built_again(
    small_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = builder.ANALYSER_VERSION + 1
    monkeypatch.setattr(builder, "ANALYSER_VERSION", newer)
    assert stale_reasons(small_index) == [
        f"the BM25 analyser changed (version {newer - 1} -> {newer}): BM25 is built again"
    ]
    report = build_index(small_index)
    assert report.full_rebuild_reason is None and not report.embedded_documents  # nothing re-embedded
    assert not is_stale(small_index)


def test_an_index_with_an_older_lineage_table_is_stale_served_without_it_and_made_again(
    small_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_retriever(small_index).lineage is not None
    newer = builder.LINEAGE_VERSION + 1
    monkeypatch.setattr(builder, "LINEAGE_VERSION", newer)
    monkeypatch.setattr(versions, "LINEAGE_VERSION", newer)
    assert stale_reasons(small_index) == [
        f"the lineage table is missing or out of date (version {newer - 1} -> {newer}): documents are read again"
    ]
    assert load_retriever(small_index).lineage is None  # never read as if it were the newer table
    report = build_index(small_index)
    assert report.full_rebuild_reason is None and not report.embedded_documents  # nothing re-embedded
    assert load_retriever(small_index).lineage is not None
    assert not is_stale(small_index)


def test_an_index_without_a_current_sentence_table_is_stale_served_without_it_and_made_again(
    tmp_path: Path, shared_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, _small_corpus(tmp_path, shared_corpus), encoders=["e5"])
    build_index(settings)
    built = load_retriever(settings).sentences
    assert built is not None and built.passages == len(load_retriever(settings).passages)
    newer = builder.SENTENCE_RECIPE + 1
    monkeypatch.setattr(builder, "SENTENCE_RECIPE", newer)
    monkeypatch.setattr(versions, "SENTENCE_RECIPE", newer)
    assert stale_reasons(settings) == [
        f"the sentence table is missing or out of date (recipe {newer - 1} -> {newer}, encoders e5 -> e5): "
        "sentences are embedded for answers"
    ]
    assert load_retriever(settings).sentences is None  # never read as if it were the newer table
    report = build_index(settings)
    # The passages and their vectors are kept, the sentences' vectors come from the cache.
    assert report.full_rebuild_reason is None and not report.embedded_documents
    assert report.encoded_texts["sentences:e5"] == 0
    again = load_retriever(settings).sentences
    assert again is not None and np.array_equal(again.offsets, built.offsets)
    assert np.array_equal(np.asarray(again.vectors["e5"]), np.asarray(built.vectors["e5"]))
    assert not is_stale(settings)


def test_removed_document_disappears(small_index: Settings) -> None:
    (small_index.corpus_dirs[0] / GDC).unlink()
    assert "gdc: removed" in stale_reasons(small_index)
    report = build_index(small_index)
    assert report.removed_documents == ["gdc"]
    retriever = load_retriever(small_index)
    assert {p.doc_id for p in retriever.passages} == {"council-report-2026"}
    assert all(h.passage.doc_id != "gdc" for h in retriever.search("Global Digital Compact open source", k=10))


def test_document_that_fails_to_ingest_keeps_its_previous_passages(small_index: Settings) -> None:
    before = load_retriever(small_index)
    (small_index.corpus_dirs[0] / GDC).write_bytes(b"")  # now unreadable: empty
    report = build_index(small_index)
    assert any(GDC in error for error in report.errors)
    assert "gdc" in report.reused_documents and not report.removed_documents
    assert len(load_retriever(small_index).passages) == len(before.passages)


def test_encoder_change_forces_a_full_rebuild_with_a_message(small_index: Settings) -> None:
    env = {
        **os.environ,
        "WSIS_INDEX_DIR": str(small_index.index_dir),
        "WSIS_CORPUS_DIRS": f'["{small_index.corpus_dirs[0]}"]',
        "WSIS_ENCODERS": '["e5"]',
    }
    assert is_stale(small_index.model_copy(update={"encoders": ["e5"]}))
    done = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "wsis"), "index", "build"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "full rebuild: encoders changed" in " ".join(done.stdout.split())
    assert set(load_retriever(small_index).info()["encoders"]) == {"e5"}


CRASHING_BUILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from wsis_rag.index.store.builder import build_index
    from wsis_rag.core.settings import Settings

    index_dir, corpus, stage = sys.argv[1:]
    def progress(message):
        if message.startswith(stage):
            os.kill(os.getpid(), signal.SIGKILL)  # die mid-build, as a power cut would
    build_index(Settings(index_dir=Path(index_dir), corpus_dirs=[Path(corpus)], encoders=["use"]),
                progress=progress, force=True)
    """
)


@pytest.mark.parametrize("stage", ["writing", "use: embedding", "indexing BM25"])
def test_a_build_killed_midway_leaves_the_previous_index_usable(small_index: Settings, stage: str) -> None:
    before = load_retriever(small_index)
    expected = [h.passage.id for h in before.search("秘书处 WSIS+20", k=5)]
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_BUILD, str(small_index.index_dir), str(small_index.corpus_dirs[0]), stage],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert crashed.returncode == -9, crashed.stderr
    orphans = [d for d in versions.versions_dir(small_index.index_dir).iterdir() if d.is_dir()]
    assert len(orphans) == 2  # the current version and the dead build's directory

    after = load_retriever(small_index)
    assert [h.passage.id for h in after.search("秘书处 WSIS+20", k=5)] == expected
    assert after.info()["built_at"] == before.info()["built_at"]

    build_index(small_index)  # the next build clears the orphan, and keeps the previous version
    kept = [d for d in versions.versions_dir(small_index.index_dir).iterdir() if d.is_dir()]
    assert len(kept) == 2 and all((d / versions.MANIFEST).is_file() for d in kept)


def test_a_plain_directory_in_the_way_is_moved_aside(tmp_path: Path, shared_corpus: Path) -> None:
    settings = _settings(tmp_path, _small_corpus(tmp_path, shared_corpus))
    settings.index_dir.mkdir(parents=True)
    (settings.index_dir / "notes.txt").write_text("left here by hand")
    build_index(settings)
    assert settings.index_dir.is_symlink() and load_retriever(settings).passages
    (moved,) = settings.index_dir.parent.glob("index.moved-*")
    assert (moved / "notes.txt").read_text() == "left here by hand"


def test_a_build_on_two_workers_writes_the_one_worker_index(tmp_path: Path, shared_corpus: Path) -> None:
    """Parallel encoding (two one-thread encoder instances, the default backends) changes
    neither the passages' order nor their vectors."""
    corpus = _small_corpus(tmp_path, shared_corpus)
    built: dict[int, Settings] = {}
    for workers in (1, 2):
        root = tmp_path / f"workers-{workers}"
        built[workers] = Settings(
            index_dir=root / "index",
            embedding_cache_dir=root / "embedding-cache",  # cold: every text is encoded
            corpus_dirs=[corpus],
            encoders=["e5", "use"],
            build_workers=workers,
        )
        report = build_index(built[workers])
        # The answers' sentence table too, by each of its encoders.
        assert set(report.encoder_rates()) == {"e5", "use", "sentences:e5", "sentences:use"}
        assert report.encoded_texts["e5"] > 100
    one, two = (load_retriever(built[w]) for w in (1, 2))
    assert [p.id for p in one.passages] == [p.id for p in two.passages]
    for name in ("e5", "use"):
        difference = np.abs(
            versions.load_vectors(built[1].index_dir, name) - versions.load_vectors(built[2].index_dir, name)
        )
        assert difference.max() <= 1e-6, name
    assert one.sentences is not None and two.sentences is not None
    np.testing.assert_array_equal(one.sentences.offsets, two.sentences.offsets)
    for name in ("e5", "use"):
        assert np.abs(np.asarray(one.sentences.vectors[name]) - np.asarray(two.sentences.vectors[name])).max() <= 1e-6
