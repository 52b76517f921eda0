"""The real-collection benchmark's source: the product's collection ingestion, cut to the
first records for a smoke run."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from wsis_rag.core.vocabulary import DocType
from wsis_rag.eval.bench.collection import ingest_records

# The shape of the collection's texts (PyMuPDF): paragraphs end at lines holding a space.
RESOLUTION = """United Nations \nA/RES/79/999\n \nGeneral Assembly \nDistr.: General \n3 December 2024 \n \n\
Seventy-ninth session \nAgenda item 16 \n \n Resolution adopted by the General Assembly \non 1 December 2024 \n \n\
79/999. Information and communications technologies for sustainable development \n \n\
The General Assembly, \n \nRecalling its resolution 70/125 on the World Summit on the Information Society, \n \n\
1. Decides to continue the review of the outcomes of the World Summit on the \nInformation Society; \n \n\
2. Requests the Secretary-General to report on the implementation of the present \nresolution. \n"""
UNNAMED = "Some notes without a symbol or a title of their own, \nkept in the collection all the same. \n"


def _collection(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    path = tmp_path / "collection.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    return path


def test_the_first_records_become_cited_passages_and_bad_ones_are_named(tmp_path: Path) -> None:
    path = _collection(
        tmp_path,
        [
            {"symbol": "A/RES/79/999", "title": "WSIS", "file": "x.pdf", "text": RESOLUTION},
            {"symbol": "A/C.2/80/L.99", "title": "empty", "file": "y.pdf", "text": "   "},
            {"symbol": "A/78/NOTE.1", "title": "notes", "file": "z.pdf", "text": UNNAMED},
        ],
    )
    corpus = ingest_records(path, max_tokens=256, limit=2)
    assert len(corpus.errors) == 1 and "A/C.2/80/L.99" in corpus.errors[0].path  # named, not fatal
    (doc,) = corpus.documents
    assert any("Decides to continue the review" in p.text for p in doc.passages)
    assert doc.meta.type == DocType.RESOLUTION and doc.meta.symbol == "A/RES/79/999"
    assert any("Information Society;" in p.text for p in doc.passages)  # the line break is joined
    everything = ingest_records(path, max_tokens=256)  # no limit: every good record
    assert [d.meta.symbol for d in everything.documents] == ["A/RES/79/999", "A/78/NOTE.1"]
    # A record that says nothing about itself is named by the record's symbol.
    assert everything.documents[1].meta.id == "a-78-note-1"
