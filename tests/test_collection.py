"""Bulk collections (ingest/collection.py): PyMuPDF-style text with page furniture becomes
clean, cited clauses; a bad record is reported and the others ingest; a collection named
in the settings is indexed beside the corpus directories."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.index.results import Filters
from wsis_rag.index.store.builder import build_index, stale_reasons
from wsis_rag.index.store.versions import load_retriever
from wsis_rag.ingest.collection import CollectionRecord, collection_source, read_collection
from wsis_rag.ingest.pipeline import ingest_collection

# Two pages the way PyMuPDF writes them: lines ending in a space, blank lines holding a
# space, pages joined by an empty line; page 1 has the job number and barcode, page 2 a
# running header (symbol, short title, job number, page label); a footnote rule.
PAGE_1 = (
    "United Nations \nA/RES/99/7\n \n \nGeneral Assembly \nDistr.: General \n3 March 2026 \n \n"
    "26-01234 (E)    040326 \n*2601234* \n \n \nNinety-ninth session \nAgenda item 12 \n \n \n"
    "Resolution adopted by the General Assembly \non 2 March 2026 \n \n \n"
    "[without reference to a Main Committee (A/99/L.7)] \n \n \n"
    " 99/7. Digital cooperation \n \n \nThe General Assembly, \n \n"
    "Recalling its resolution 98/1,1 \n \n"
    "1. Decides to convene a meeting on digital cooperation in the year \n"
    "following the adoption of the present resolution, and to consider \n"
    "__________________ \n \n1 Resolution 98/1, annex. \n"
)
PAGE_2 = (
    "A/RES/99/7 \nDigital cooperation \n \n26-01234\n2/2 \n \n \n"
    "its follow-up at its hundredth session; \n \n"
    "2. Requests the Secretary-General to report on the implementation of the present resolution. \n"
)
RECORD = {"symbol": "A/RES/99/7", "title": "99/7. Digital cooperation", "file": "A_RES_99_7.pdf"}


def _collection(path: Path, *lines: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
    return path


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    good = json.dumps({**RECORD, "text": PAGE_1 + "\n" + PAGE_2})
    return _collection(tmp_path / "docs.jsonl.gz", good, "{not json", json.dumps({"symbol": "A/RES/99/8"}))


def test_page_furniture_is_dropped_and_a_paragraph_cut_by_the_page_is_joined(collection: Path) -> None:
    record = next(read_collection(collection))
    assert isinstance(record, CollectionRecord)
    doc = collection_source(record)
    body = [b.text for b in doc.body]
    assert not any(furniture in text for text in body for furniture in ("26-01234", "*2601234*", "2/2", "040326"))
    assert "Digital cooperation" not in body  # the running short title of page 2
    assert (
        "1. Decides to convene a meeting on digital cooperation in the year following the adoption of the "
        "present resolution, and to consider its follow-up at its hundredth session;" in body
    )
    assert [b.text for b in doc.footnotes] == ["1 Resolution 98/1, annex."]


def test_a_bad_record_is_reported_by_line_and_the_others_ingest(collection: Path) -> None:
    result = ingest_collection(collection)

    assert [d.meta.id for d in result.documents] == ["a-res-99-7"]
    assert [(e.path, e.reason.split(" (")[0]) for e in result.errors] == [
        (f"{collection}:2", "not JSON"),
        (f"{collection}:3", "a record needs a 'symbol' and a 'text' string"),
    ]
    doc = result.documents[0]
    assert (doc.meta.symbol, doc.meta.title, doc.meta.date, doc.meta.agenda_item) == (
        "A/RES/99/7",
        "Digital cooperation",
        "2026-03-02",
        "12",
    )
    labels = {p.label for p in doc.passages}
    assert {"A/RES/99/7, para. 1", "A/RES/99/7, para. 2"} <= labels
    assert sum(c.kind == ClauseKind.PARAGRAPH for c in doc.clauses) == 2


def test_a_collection_in_the_settings_is_indexed_and_searchable(tmp_path: Path, collection: Path) -> None:
    settings = Settings(
        cache_dir=tmp_path / "cache",
        corpus_dirs=[],
        library_dir=tmp_path / "library",
        collections=[collection],
        index_dir=tmp_path / "index",
        encoders=["use"],
    )
    report = build_index(settings)

    assert report.documents == 1 and len(report.errors) == 2
    assert stale_reasons(settings) == []
    hits = load_retriever(settings).search("report on implementation", k=3, filters=Filters(doc=["A/RES/99/7"]))
    assert hits[0].passage.label == "A/RES/99/7, para. 2"
