"""An index of about 10^5 passages made of copies of a built one, for the load and search
figures at that size without embedding 10^5 texts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...core.settings import Settings


def write_synthetic_index(source_dir: Path, index_dir: Path, passages: int) -> None:
    """A sealed index version of about `passages` rows made of copies of the index at
    `source_dir`: copy i of each document gets its own id, symbol suffix and year (2000 +
    i % 26, so that a year filter selects runs of documents), its passages the source's
    texts (BM25 is real) and the source's vectors plus a little noise (so that the
    approximate index does not hold exact duplicates). For load and filtered-search figures
    at 10^5 without embedding 10^5 texts."""
    from ...core.vocabulary import DocumentMeta
    from ...index.encoders.embedders import normalise
    from ...index.lexical import LexicalIndex
    from ...index.store import versions
    from ...index.store.builder import lexical_text
    from ...index.vectors import VectorIndex

    source = versions.current_version(source_dir)
    manifest = versions.read_manifest(source) or {}
    originals = versions.read_passages(source)[:]
    copies = max(1, -(-passages // len(originals)))
    rng = np.random.default_rng(12)
    version = versions.new_version_dir(index_dir)
    rows, documents = [], {}
    for i in range(copies):
        for doc_id, record in manifest["documents"].items():
            meta = DocumentMeta.model_validate(record["meta"])
            copy = meta.model_copy(
                update={
                    "id": f"{doc_id}-c{i}",
                    "symbol": f"{meta.symbol}-C{i}",
                    "short": f"{meta.short} C{i}",
                    "aliases": [],
                    "date": f"{2000 + i % 26}-01-01",
                }
            )
            documents[copy.id] = {**record, "meta": copy.model_dump(mode="json")}
        rows += [
            p.model_copy(
                update={
                    "id": f"{p.doc_id}-c{i}:{p.id.split(':', 1)[1]}",
                    "doc_id": f"{p.doc_id}-c{i}",
                    "year": 2000 + i % 26,
                }
            )
            for p in originals
        ]
    versions.write_passages(version, rows)
    exact_max = Settings.model_fields["exact_search_max"].default
    for name in manifest["encoders"]:
        base = np.load(source / versions.vectors_file(name))
        vectors = normalise(np.tile(base, (copies, 1)) + 0.01 * rng.standard_normal((len(rows), base.shape[1])))
        np.save(version / versions.vectors_file(name), vectors)
        VectorIndex.build(vectors, exact_max).save_ann(version / versions.faiss_file(name))
    LexicalIndex.build([lexical_text(p) for p in rows]).save(version / versions.BM25_DIR)
    versions.write_manifest(version, {**manifest, "rows": len(rows), "documents": documents})
    versions.publish(index_dir, version)
    print(f"synthetic index of {len(rows):,} passages ({copies} copies of {source}) at {index_dir}")
