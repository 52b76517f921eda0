"""Configurations x question sets in one table, with 95 % bootstrap intervals: the evidence
the default is chosen by (docs/benchmarks/history.md, "Choosing the default").

    python -m wsis_rag.eval.compare_sets --configs hybrid,bm25+e5-2026-11 \\
        --sets ../shared/eval/dev.jsonl,eval/sets/heldout-wsis.jsonl --baseline bm25+e5-2026-11

Every configuration searches through `HybridRetriever.search`; query vectors are computed
once per (encoder, text) and shared by all configurations, so a dozen configurations cost
little more than one. Prints Markdown: per slice (all, en>zh, zh>en) each configuration's
R@10, MRR@10 and nDCG@10 with their intervals and the difference from the baseline, marked *
only when its paired interval excludes zero.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..core.settings import get_settings
from ..index.api import Embedder, HybridRetriever, load_retriever
from .harness import evaluate_retriever
from .metrics import ALL, CROSS_LINGUAL, CROSS_ZH_EN, Evaluation
from .questions import load_questions
from .systems import VARIANTS

logger = logging.getLogger(__name__)

TABLE_METRICS = ("recall@10", "mrr@10", "ndcg@10")
TABLE_SLICES = {ALL: "all", CROSS_LINGUAL: "en>zh", CROSS_ZH_EN: "zh>en"}


class MemoisedQueries:
    """An encoder whose query vectors are remembered by text (passages go straight through)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self.name, self.model_id, self.dim, self.languages = (
            embedder.name,
            embedder.model_id,
            embedder.dim,
            embedder.languages,
        )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self._embedder.embed_queries(missing), strict=True))
        return np.stack([self._vectors[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embedder.embed_passages(texts)


def memoised(retriever: HybridRetriever) -> HybridRetriever:
    """The same index whose query encoders remember their vectors across configurations."""
    embedders = {name: MemoisedQueries(retriever.encoder(name)) for name in retriever.vectors}
    return HybridRetriever(
        retriever.passages,
        retriever.documents,
        retriever.lexical,
        retriever.vectors,
        {key: value for key, value in retriever.info().items() if key not in ("signals", "available_signals")},
        fusion=retriever.fusion,
        embedders=embedders,
    )


def interval_cell(evaluation: Evaluation, config: str, metric: str, slice_name: str) -> str:
    mean = evaluation.interval(config, metric, slice_name)
    cell = f"{mean.value:.3f} [{mean.low:.3f}, {mean.high:.3f}]"
    if config != evaluation.baseline:
        diff = evaluation.difference(config, metric, slice_name)
        cell += f" Δ{diff.value:+.3f} [{diff.low:+.3f}, {diff.high:+.3f}]" + ("\\*" if diff.excludes_zero else "")
    return cell


def markdown(evaluations: dict[str, Evaluation], configs: Sequence[str]) -> str:
    lines = []
    for set_name, evaluation in evaluations.items():
        for slice_name, label in TABLE_SLICES.items():
            ids = evaluation.slices.get(slice_name, [])
            if not ids:
                continue
            lines += [
                f"\n**{set_name}, {label}** ({len(ids)} questions)\n",
                "| configuration | R@10 | MRR@10 | nDCG@10 |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| {c} | " + " | ".join(interval_cell(evaluation, c, m, slice_name) for m in TABLE_METRICS) + " |"
                for c in configs
            ]
    return "\n".join(lines)


def _variant(spec: dict[str, object]) -> Callable[[HybridRetriever], HybridRetriever]:
    signals = spec.pop("signals", None)

    def configure(retriever: HybridRetriever) -> HybridRetriever:
        chosen = retriever.with_signals(list(signals)) if isinstance(signals, list) else retriever
        return chosen.with_fusion(**spec)

    return configure


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", required=True, help="comma-separated configuration names (eval/systems.py)")
    parser.add_argument("--sets", required=True, help="comma-separated question sets (JSON Lines)")
    parser.add_argument("--baseline", required=True)
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help='an ad-hoc configuration: NAME={"signals": [...], <FusionConfig field>: value, ...} (repeatable)',
    )
    parser.add_argument("--out", type=Path, help="also write the Markdown here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for spec in args.variant:
        name, _, body = spec.partition("=")
        VARIANTS[name] = _variant(json.loads(body))
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    settings = get_settings()
    retriever = memoised(load_retriever(settings))
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    started = time.perf_counter()
    evaluations = {}
    for path in (Path(p.strip()) for p in args.sets.split(",") if p.strip()):
        questions = load_questions(path)
        outcome = evaluate_retriever(retriever, questions, configs, baseline=args.baseline)
        evaluations[f"{path.name} ({len(questions)})"] = outcome.evaluation
    header = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; e5 backend {settings.e5_backend}; index encoders "
        f"{', '.join(retriever.vectors)}; {time.perf_counter() - started:.0f} s; `uptime` before: {load}"
    )
    text = header + "\n" + markdown(evaluations, configs) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
