"""The real-collection benchmark's source: JSON Lines documents through the text ingestion."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from wsis_rag.core.vocabulary import DocType
from wsis_rag.eval.bench_collection import ingest_jsonl

RESOLUTION = """United Nations
A/RES/79/999
General Assembly

Resolution adopted by the General Assembly on 1 December 2024

The General Assembly,

Recalling its resolution 70/125 on the World Summit on the Information Society,

1. Decides to continue the review of the outcomes of the World Summit on the Information Society;

2. Requests the Secretary-General to report on the implementation of the present resolution.
"""


def _collection(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    path = tmp_path / "collection.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    return path


def test_documents_become_cited_passages_with_session_year_and_body(tmp_path: Path) -> None:
    path = _collection(
        tmp_path,
        [
            {"symbol": "A/RES/79/999", "title": "WSIS", "file": "x.pdf", "text": RESOLUTION},
            {"symbol": "A/C.2/80/L.99", "title": "empty", "file": "y.pdf", "text": "   "},
            {"symbol": "A/RES/78/998", "title": "not read", "file": "z.pdf", "text": RESOLUTION},
        ],
    )
    corpus = ingest_jsonl(path, max_tokens=256, limit=2)
    assert [e.path for e in corpus.errors] == ["A/C.2/80/L.99"]  # bad input is named, not fatal
    (doc,) = corpus.documents
    texts = [p.text for p in doc.passages]
    assert any("Decides to continue the review" in t for t in texts)
    assert {(p.year, p.body, p.doc_type) for p in doc.passages} == {(2024, "UN General Assembly", DocType.RESOLUTION)}
    assert doc.meta.type == DocType.RESOLUTION and doc.meta.symbol == "A/RES/79/999"
    assert not list(tmp_path.glob("*.txt"))  # the temporary files are gone
