"""A document the manifest does not know is named the ways delegates name it: a resolution
by its symbol, its number, "resolution N" and the Chinese "第N号决议"; one search that names
it in any of these forms finds it named."""

from __future__ import annotations

from pathlib import Path

from wsis_rag.index.catalog import DocumentCatalog
from wsis_rag.index.references import DocumentMentions
from wsis_rag.ingest.pipeline import ingest_file
from wsis_rag.ingest.symbols import symbol_aliases


def test_a_resolution_symbol_has_its_short_forms() -> None:
    assert symbol_aliases("A/RES/79/194") == ["79/194", "resolution 79/194", "第79/194号决议"]
    assert symbol_aliases("A/DEC/78/5") == ["78/5", "decision 78/5", "第78/5号决定"]
    assert symbol_aliases("A/C.2/80/L.17") == []  # a draft is named by its symbol
    assert symbol_aliases("Resolution 140 (Rev. Dubai, 2018)") == ["Resolution 140", "Res. 140", "第140号决议"]


def test_every_form_names_an_added_resolution(tmp_path: Path) -> None:
    path = tmp_path / "res.txt"
    path.write_text(
        "United Nations A/RES/79/194\n\nGeneral Assembly\n\nInformation and communications technologies\n\n"
        "The General Assembly,\n\n1. Recognizes the role of information and communications technologies.\n",
        encoding="utf-8",
    )
    meta = ingest_file(path).meta
    catalog, mentions = DocumentCatalog([meta]), DocumentMentions([meta])
    for name in ("A/RES/79/194", "79/194", "resolution 79/194", "Resolution 79/194", "第79/194号决议"):
        assert catalog.resolve(name).id == "a-res-79-194"
        assert [doc for doc, _ in mentions.find(f"What does {name} ask of ITU?")] == ["a-res-79-194"]
    assert mentions.find("What does resolution 79/19 ask?") == []
