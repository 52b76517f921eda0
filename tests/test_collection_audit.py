"""The audit of the whole UN collection (`wsis ingest --collection ... --audit`): no page
furniture in any passage, no piece cut inside a sentence that fits the ceiling, and no more
source words lost than the few known today (a parser change that loses words fails here,
and the audit names them)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from wsis_rag.ingest.audit import audit_documents
from wsis_rag.ingest.collection import CollectionRecord, read_collection
from wsis_rag.ingest.pipeline import DEFAULT_MAX_TOKENS, ingest_record

# Words of the collection in no passage: a document whose text repeats a page (its labels
# then name other pages) and a few running titles that the masthead words do not cover.
# The figure may only fall.
LOST_WORDS_MAX = 30


@pytest.fixture(scope="module")
def collection_audit(shared_corpus: Path):  # type: ignore[no-untyped-def]
    path = shared_corpus.parent / "un-corpus" / "un-documents-78-80.jsonl.gz"
    started = time.perf_counter()
    records = list(read_collection(path))
    assert all(isinstance(record, CollectionRecord) for record in records)
    # One process per core (spawned: this process already runs encoder threads).
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=get_context("spawn")) as pool:
        passages = [document.passages for document in pool.map(ingest_record, records, chunksize=32)]
    pairs = [(found, record.text) for found, record in zip(passages, records, strict=True)]
    print(f"\n{len(pairs)} documents ingested in {time.perf_counter() - started:.0f} s")
    return audit_documents(pairs, max_tokens=DEFAULT_MAX_TOKENS)


def test_no_passage_carries_page_furniture(collection_audit) -> None:  # type: ignore[no-untyped-def]
    assert collection_audit.summary.documents == 1191
    assert [p for d in collection_audit.documents for p in d.furniture] == []


def test_pieces_are_cut_inside_a_sentence_only_when_it_is_too_long(collection_audit) -> None:  # type: ignore[no-untyped-def]
    summary = collection_audit.summary
    print(
        f"\nmid-sentence cuts {summary.mid_sentence_cuts}, of which in overlong sentences {summary.overlong_sentence_cuts}"
    )
    assert summary.mid_sentence_cuts == summary.overlong_sentence_cuts  # only sentences over the ceiling are cut
    assert summary.mid_sentence_cuts <= 20


def test_no_more_words_lost_than_known(collection_audit) -> None:  # type: ignore[no-untyped-def]
    summary = collection_audit.summary
    print(f"\nlost words {summary.lost_words} of {summary.source_words} in {summary.documents_losing_words} documents")
    assert summary.lost_words <= LOST_WORDS_MAX
    years = [d.symbol for d in collection_audit.documents if "2024" in d.lost_words]
    assert "A/RES/80/110" not in years and "A/RES/79/331" not in years
