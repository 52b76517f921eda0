"""Damage on disk is refused, never served (issue 13): flipped bytes, swapped or missing
lines, a corrupt manifest, damaged vectors before an incremental build, orphans of a
crashed swap, versions kept for a running server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wsis_rag.core.digest import file_sha256
from wsis_rag.core.errors import IndexDamagedError
from wsis_rag.core.settings import Settings
from wsis_rag.index.store import versions
from wsis_rag.index.store.builder import build_index, stale_reasons
from wsis_rag.index.store.versions import load_retriever

WSIS = str(Path(sys.executable).with_name("wsis"))
GDC = "A_RES_79_1_annexI_Global_Digital_Compact_en.md"


@pytest.fixture
def gdc_index(tmp_path: Path, shared_corpus: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GDC).write_bytes((shared_corpus / GDC).read_bytes())
    # exact_search_max=0: an approximate (FAISS) index is written too, so every kind of
    # index file is on disk to be damaged.
    settings = Settings(
        index_dir=tmp_path / "var" / "index", corpus_dirs=[corpus], encoders=["use"], exact_search_max=0
    )
    build_index(settings)
    return settings


def _version(settings: Settings) -> Path:
    return settings.index_dir.resolve()


def _flip(path: Path, offset: int, count: int = 64) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + count):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _rewrite_digest(version: Path, name: str) -> None:
    """Record the current content of `name` in the manifest, as if it had been built so:
    what remains to catch the damage is the row-count check."""
    manifest = json.loads((version / versions.MANIFEST).read_text(encoding="utf-8"))
    path = version / name
    manifest["files"][name] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
    (version / versions.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_a_sound_index_loads_and_records_every_file(gdc_index: Settings) -> None:
    manifest = versions.read_manifest(gdc_index.index_dir)
    assert manifest is not None
    assert set(manifest["files"]) >= {"passages.jsonl", "faiss-use.index", "vectors-use.npy"}
    assert any(name.startswith("bm25/") for name in manifest["files"])
    retriever = load_retriever(gdc_index)
    assert len(retriever.passages) == manifest["rows"]
    assert retriever.info()["version"] == _version(gdc_index).name


def test_flipped_bytes_in_faiss_are_refused(gdc_index: Settings) -> None:
    path = _version(gdc_index) / "faiss-use.index"
    _flip(path, path.stat().st_size // 2)
    with pytest.raises(IndexDamagedError, match=r"faiss-use\.index does not match its recorded sha256"):
        load_retriever(gdc_index)


def test_swapped_passage_lines_are_refused(gdc_index: Settings) -> None:
    path = _version(gdc_index) / versions.PASSAGES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3], lines[4] = lines[4], lines[3]
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="passages.jsonl does not match"):
        load_retriever(gdc_index)


def test_short_passages_file_is_refused_by_its_size(gdc_index: Settings) -> None:
    path = _version(gdc_index) / versions.PASSAGES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-20]), encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="passages.jsonl has .* bytes, the manifest records"):
        load_retriever(gdc_index)


def test_short_passages_file_with_matching_checksum_is_refused_by_row_count(gdc_index: Settings) -> None:
    version = _version(gdc_index)
    lines = (version / versions.PASSAGES).read_text(encoding="utf-8").splitlines(keepends=True)
    (version / versions.PASSAGES).write_text("".join(lines[:-20]), encoding="utf-8")
    _rewrite_digest(version, versions.PASSAGES)
    with pytest.raises(
        IndexDamagedError, match=rf"records {len(lines)} passages but passages.jsonl has {len(lines) - 20}"
    ):
        load_retriever(gdc_index)


def test_corrupt_manifest_is_a_clear_error_and_the_build_replaces_it(gdc_index: Settings) -> None:
    (_version(gdc_index) / versions.MANIFEST).write_text("{x", encoding="utf-8")
    with pytest.raises(IndexDamagedError, match=r"manifest\.json is not valid JSON"):
        load_retriever(gdc_index)
    assert "is not valid JSON" in stale_reasons(gdc_index)[0]
    report = build_index(gdc_index)
    assert report.full_rebuild_reason and "damaged" in report.full_rebuild_reason
    assert load_retriever(gdc_index).passages


def test_corrupt_manifest_in_the_cli_is_one_line(gdc_index: Settings) -> None:
    (_version(gdc_index) / versions.MANIFEST).write_text("", encoding="utf-8")
    env = {**os.environ, "WSIS_INDEX_DIR": str(gdc_index.index_dir), "WSIS_ENCODERS": '["use"]'}
    done = subprocess.run([WSIS, "search", "connectivity"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "manifest.json is not valid JSON" in lines[0], done.stderr


def test_damaged_vectors_are_not_copied_into_an_incremental_build(gdc_index: Settings) -> None:
    clean = np.array(versions.load_vectors(gdc_index.index_dir, "use"))  # a copy, not the memory map
    clean_rows = {p.id: row for row, p in enumerate(load_retriever(gdc_index).passages)}
    npy = _version(gdc_index) / "vectors-use.npy"
    _flip(npy, npy.stat().st_size - 4096, 2048)
    # Exact search reads these rows directly: a load refuses them, and a rebuild must not reuse them.
    assert not np.array_equal(np.load(npy), clean)
    with pytest.raises(IndexDamagedError, match=r"vectors-use\.npy does not match its recorded sha256"):
        load_retriever(gdc_index)
    (gdc_index.corpus_dirs[0] / GDC).write_text(
        (gdc_index.corpus_dirs[0] / GDC).read_text(encoding="utf-8") + "\n\n99. A new closing paragraph.\n",
        encoding="utf-8",
    )
    report = build_index(gdc_index)
    assert report.full_rebuild_reason and "vectors-use.npy does not match" in report.full_rebuild_reason
    rebuilt = versions.load_vectors(gdc_index.index_dir, "use")
    assert np.allclose(np.linalg.norm(rebuilt, axis=1), 1.0, atol=1e-3)
    after = load_retriever(gdc_index).passages
    same = [(row, clean_rows[p.id]) for row, p in enumerate(after) if p.id in clean_rows]
    assert len(same) == len(clean)
    assert np.allclose(rebuilt[[r for r, _ in same]], clean[[c for _, c in same]], atol=1e-5)


def test_next_build_removes_orphans_of_a_crashed_swap(gdc_index: Settings) -> None:
    index_dir = gdc_index.index_dir
    orphan_link = index_dir.with_name(f".{index_dir.name}.link-999999")
    orphan_link.symlink_to(_version(gdc_index), target_is_directory=True)
    half_written = versions.versions_dir(index_dir) / "v20000101T000000-1-1"
    half_written.mkdir()
    (half_written / versions.PASSAGES).write_text("{}\n", encoding="utf-8")
    build_index(gdc_index)
    assert not orphan_link.is_symlink()
    assert not half_written.exists()


def test_builds_keep_the_last_versions_and_any_a_server_leases(gdc_index: Settings) -> None:
    first = _version(gdc_index)
    lease = versions.VersionLease(first)
    try:
        for _ in range(3):
            build_index(gdc_index.model_copy(update={"index_versions_kept": 2}), force=True)
        kept = sorted(p.name for p in versions.versions_dir(gdc_index.index_dir).iterdir() if p.is_dir())
        # the current, one older (kept: 2), and the leased first one
        assert len(kept) == 3 and first.name in kept
    finally:
        lease.release()
    build_index(gdc_index.model_copy(update={"index_versions_kept": 1}), force=True)
    assert [p for p in versions.versions_dir(gdc_index.index_dir).iterdir() if p.is_dir()] == [_version(gdc_index)]


@pytest.mark.parametrize(
    ("index_dir", "cause"),
    [
        (Path("/proc/wsis-index/index"), "No such file or directory"),
        (Path(__file__) / "index", "Not a directory"),
    ],
)
def test_unwritable_index_dir_is_one_line(index_dir: Path, cause: str, shared_corpus: Path) -> None:
    env = {**os.environ, "WSIS_INDEX_DIR": str(index_dir), "WSIS_CORPUS_DIRS": json.dumps([str(shared_corpus)])}
    done = subprocess.run([WSIS, "index", "build"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert cause in done.stderr and str(index_dir.parent) in done.stderr, done.stderr
