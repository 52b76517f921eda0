"""Filter columns and document rows: the same rows a per-passage test would pick, found
without scanning the passages; neighbours at document edges; old index formats rebuilt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from wsis_rag.core.errors import IndexNotReadyError
from wsis_rag.core.settings import Settings
from wsis_rag.core.vocabulary import ClauseKind, DocType, Passage
from wsis_rag.index.columns import PassageColumns
from wsis_rag.index.store import versions
from wsis_rag.index.store.builder import build_index, full_rebuild_reason


def _passage(
    doc: str, order: int, lang: str = "en", year: int | None = 2024, body: str = "UN General Assembly"
) -> Passage:
    return Passage(
        id=f"{doc}:p-{order}", doc_id=doc, symbol=doc.upper(), title=doc, doc_type=DocType.RESOLUTION, body=body,
        year=year, kind=ClauseKind.PARAGRAPH, anchor=f"p-{order}", locator=f"para. {order}", label=f"{doc} {order}",
        lang=lang, char_start=0, char_end=1, n_tokens=1, order=order, text=f"text {order}",
    )  # fmt: skip


# Two documents whose rows interleave, one out of order: rows are not assumed contiguous.
PASSAGES = [
    _passage("a", 0),
    _passage("b", 0, lang="zh", year=None),
    _passage("a", 2, body="ITU Council"),
    _passage("a", 1, lang="ZH"),
    _passage("b", 1, year=2025),
    _passage("a", 3, year=2025),
]


def test_document_rows_come_in_document_order() -> None:
    columns = PassageColumns.from_passages(PASSAGES)
    assert columns.doc_rows("a").tolist() == [0, 3, 2, 5]
    assert columns.doc_rows("b").tolist() == [1, 4]
    assert columns.doc_rows("nope").tolist() == []


@pytest.mark.parametrize(
    ("row", "n", "expected"),
    [(3, 1, [0, 3, 2]), (0, 1, [0, 3]), (5, 2, [3, 2, 5]), (4, 5, [1, 4]), (2, 0, [2])],
)
def test_neighbours_stay_in_the_document_and_stop_at_its_edges(row: int, n: int, expected: list[int]) -> None:
    assert PassageColumns.from_passages(PASSAGES).neighbour_rows(row, n).tolist() == expected


@pytest.mark.parametrize(
    ("restriction", "keep"),
    [
        ({"doc_ids": {"b"}}, lambda p: p.doc_id == "b"),
        ({"doc_ids": {"a", "b"}, "years": [2025]}, lambda p: p.year == 2025),
        ({"langs": ["zh"]}, lambda p: p.lang.lower() == "zh"),
        ({"bodies": ["itu council"]}, lambda p: p.body == "ITU Council"),
        ({"types": [DocType.RESOLUTION], "years": [2024]}, lambda p: p.year == 2024),
        ({"types": [DocType.REPORT]}, lambda p: False),
        ({"langs": ["fr"]}, lambda p: False),
        ({"doc_ids": {"a"}, "langs": ["en"], "years": [2024, 2025]}, lambda p: p.doc_id == "a" and p.lang == "en"),
    ],
)
def test_allowed_rows_are_exactly_what_a_per_passage_test_keeps(restriction, keep) -> None:  # type: ignore[no-untyped-def]
    allowed = PassageColumns.from_passages(PASSAGES).allowed(**restriction)
    assert allowed.dtype == np.int64 and list(allowed) == sorted(allowed)
    assert allowed.tolist() == [i for i, p in enumerate(PASSAGES) if keep(p)]


def test_an_index_of_the_previous_format_is_refused_clearly_and_rebuilt(tmp_path: Path, shared_corpus: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = "ITU_Council_2026_CWG-WSIS-SDG_chair_report_zh.txt"
    (corpus / name).write_bytes((shared_corpus / name).read_bytes())
    settings = Settings(index_dir=tmp_path / "index", corpus_dirs=[corpus], encoders=["use"])
    build_index(settings)
    manifest_path = settings.index_dir / versions.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    previous = versions.FORMAT_VERSION - 1
    manifest["format_version"] = previous
    os.chmod(manifest_path, 0o644)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(
        IndexNotReadyError, match=f"has format {previous}, this version reads {versions.FORMAT_VERSION}"
    ):
        versions.load_retriever(settings)
    assert f"format_version changed ({previous} -> {versions.FORMAT_VERSION})" in (
        full_rebuild_reason(manifest, settings) or ""
    )
    report = build_index(settings)
    assert report.full_rebuild_reason and "format_version" in report.full_rebuild_reason
    assert versions.load_retriever(settings).passages


def test_stored_passages_parse_lazily_and_equal_what_was_written(tmp_path: Path) -> None:
    versions.write_passages(tmp_path, PASSAGES)
    with (tmp_path / versions.PASSAGES).open("a", encoding="utf-8") as out:
        out.write("\n")  # a trailing blank line holds no passage
    stored = versions.read_passages(tmp_path)
    assert len(stored) == len(PASSAGES) and stored[-1] == PASSAGES[-1] and stored[1:3] == PASSAGES[1:3]
    assert list(stored) == PASSAGES and stored[2] is stored[2]  # parsed once, then kept
    with pytest.raises(IndexError):
        stored[len(PASSAGES)]
    columns = PassageColumns.load(tmp_path / versions.COLUMNS)
    assert columns.doc_rows("a").tolist() == [0, 3, 2, 5] and columns.ids.tolist() == [p.id for p in PASSAGES]
    (tmp_path / versions.PASSAGES).write_bytes(b"")
    assert len(versions.read_passages(tmp_path)) == 0
