"""Hostile and odd input, each made here in tmp_path: every failure is the failing file's,
named with its reason, and the other files of the batch still ingest."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from wsis_rag.core.errors import IngestError
from wsis_rag.ingest import pipeline
from wsis_rag.ingest.html_parser import MAX_NESTING
from wsis_rag.ingest.pipeline import ingest_file, ingest_paths
from wsis_rag.ingest.text_parser import MAX_PARAGRAPH_CHARS

GOOD = "---\ntitle: A note\n---\n\n1. Decides to remain seized of the matter.\n\n2. Requests a report.\n"


def _pdf(content: bytes, *, compress_to: int | None = None) -> bytes:
    """A one-page PDF whose page draws `content` (deflated when `compress_to` is given: the
    stream then inflates to `compress_to` bytes of spaces after `content`)."""
    if compress_to is None:
        stream, filters = content, b""
    else:
        packer = zlib.compressobj(9)
        chunks = [packer.compress(content)]
        chunk = b" " * 1_000_000
        chunks += [packer.compress(chunk) for _ in range(compress_to // len(chunk))]
        stream, filters = b"".join(chunks) + packer.flush(), b" /Filter /FlateDecode"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.md"
    path.write_text(GOOD, encoding="utf-8")
    return path


def _reason(path: Path) -> str:
    with pytest.raises(IngestError) as caught:
        ingest_file(path)
    assert str(path) in str(caught.value)
    return caught.value.reason


def test_a_small_hand_made_pdf_ingests(tmp_path: Path) -> None:
    path = tmp_path / "note.pdf"
    path.write_bytes(_pdf(b"BT /F1 12 Tf 72 700 Td (1. Decides to act.) Tj ET", compress_to=0))
    doc = ingest_file(path)
    assert [p.text for p in doc.passages] == ["1. Decides to act."]


def test_decompression_bomb_is_refused_and_the_batch_goes_on(tmp_path: Path, good: Path) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_pdf(b"BT /F1 12 Tf 72 700 Td (x) Tj ET ", compress_to=200_000_000))
    assert bomb.stat().st_size < 1_000_000
    assert _reason(bomb).startswith("PDF refused: a stream exceeds pypdf's decompression limit")
    result = ingest_paths([bomb, good])
    assert [Path(d.source).name for d in result.documents] == ["good.md"]
    assert [Path(e.path).name for e in result.errors] == ["bomb.pdf"]


def test_bad_yaml_front_matter_is_named(tmp_path: Path, good: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\n\n1. Decides.\n", encoding="utf-8")
    assert _reason(bad).startswith("bad YAML front matter at line 2")
    result = ingest_paths([bad, good])
    assert len(result.documents) == 1 and result.errors[0].path == str(bad)


def test_an_unexpected_exception_costs_only_its_file(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path) -> None:
        raise RuntimeError("parser bug")

    odd = tmp_path / "odd.html"
    odd.write_text("<p>1. Decides.</p>", encoding="utf-8")
    monkeypatch.setitem(pipeline.PARSERS, ".html", broken)
    result = ingest_paths([odd, good])
    assert [Path(d.source).name for d in result.documents] == ["good.md"]
    assert [(e.path, e.reason) for e in result.errors] == [(str(odd), "unexpected error: RuntimeError: parser bug")]


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path: Path, good: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "leak.txt").symlink_to(secret)
    (corpus / "sub" / "inside.md").write_text(GOOD, encoding="utf-8")
    (corpus / "inside.md").symlink_to(corpus / "sub" / "inside.md")
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    result = ingest_paths([corpus])
    assert [Path(d.source).name for d in result.documents] == ["inside.md"]
    reasons = {Path(e.path).name: e.reason for e in result.errors}
    assert reasons["dangling.txt"] == "broken symbolic link"
    assert reasons["leak.txt"].startswith("symbolic link to a file outside its folder")
    assert not any("root:x" in p.text for d in result.documents for p in d.passages)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf16.txt", "\ufeff1. Décide d’agir.\n".encode("utf-16-le")),
        ("utf16be.txt", "\ufeff1. Décide d’agir.\n".encode("utf-16-be")),
        ("utf16-nobom.txt", "1. Décide d’agir.\n".encode("utf-16-le")),
        ("bom.txt", "\ufeff1. Décide d’agir.\n".encode()),
        ("latin1.txt", "1. Décide d'agir.\n".encode("latin-1")),
        ("cp1252.txt", "1. Décide d’agir.\n".encode("cp1252")),
    ],
)
def test_text_encodings_are_read(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    [passage] = ingest_file(path).passages
    assert passage.text.replace("'", "’") == "1. Décide d’agir."


def test_deeply_nested_html_is_refused_at_once(tmp_path: Path) -> None:
    deep = tmp_path / "deep.html"
    deep.write_text("<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>")
    assert _reason(deep) == f"HTML refused: elements nested 100000 deep (more than {MAX_NESTING})"
    nested = tmp_path / "nested.html"
    nested.write_text("<html><body>" + "<div>" * 200 + "<p>1. Decides.</p><p>2. Requests.</p>" + "</div>" * 200)
    assert [p.text for p in ingest_file(nested).passages] == ["1. Decides.", "2. Requests."]


def test_html_paragraphs_without_end_tags_do_not_count_as_nesting(tmp_path: Path) -> None:
    page = tmp_path / "paras.html"
    page.write_text("<html><body>" + "<p>Recalling its resolutions," * 3000 + "</body></html>")
    assert len(ingest_file(page).passages) == 3000


def test_a_ten_megabyte_line_is_refused_at_once(tmp_path: Path) -> None:
    line = tmp_path / "line.txt"
    line.write_text("development " * 900_000, encoding="utf-8")
    assert _reason(line) == (
        f"text refused: a line of 10,800,000 characters (more than {MAX_PARAGRAPH_CHARS:,} in one paragraph)"
    )
