"""Precision at collection size (issue 11, point 6): question sets scored on the index of
the WSIS documents alone and on an index with a bulk collection beside them, under
fusion variants (grouping of near-identical clauses, document priors), in one run. Every
difference is paired per question against the small index's default, with the bootstrap
interval of `metrics.py`.

    python -m wsis_rag.eval.collection_eval --small DIR --large DIR \\
        --set heldout-wsis=eval/sets/heldout-wsis.jsonl --exclude a-res-79-1 \\
        --config plain=group_duplicates:0 --config grouping=group_duplicates:1 ...

Near-duplicates of the gold documents of the sets scored on both indexes (a collection
document holding a gold document's text, e.g. A/RES/79/1 and its annex I, the GDC) are
left out of the large index's searches for those sets by `--exclude` (a filter on every
search, so the index itself is the real one). The `--large-only` sets, written from the
collection, search all of it: their evidence may be in any document, A/RES/79/1 included.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..core.settings import get_settings
from ..index.api import Filters, FusionConfig, HybridRetriever, load_retriever
from .bench.timing import load_average
from .metrics import ALL, CROSS_LINGUAL, METRIC_LABELS, Evaluation, evaluate
from .questions import Question, load_questions
from .relevance import check_snippets
from .runs import Run
from .systems import run_in_process

SMALL = "3 docs"
OUTSIDE = "outside"  # the questions of a set not in the --outside set
METRICS_SHOWN = ("recall@10", "mrr@10", "ndcg@10")


def parse_config(spec: str) -> tuple[str, dict[str, Any]]:
    """'name=field:value,field:value' -> (name, FusionConfig changes); values are read as
    the field's type (bool from 0/1). ValueError names what cannot be read."""
    name, _, body = spec.partition("=")
    types = {f.name: f.type for f in fields(FusionConfig)}
    changes: dict[str, Any] = {}
    for part in filter(None, body.split(",")):
        key, _, value = part.partition(":")
        if key not in types:
            raise ValueError(f"unknown fusion field {key!r} in {spec!r}")
        kind = str(types[key])
        readers: dict[str, Callable[[str], Any]] = {
            "bool": lambda v: bool(int(v)),
            "int": int,
            "float": float,
            "str": str,
        }
        if kind not in readers:
            raise ValueError(f"fusion field {key!r} ({kind}) cannot be set here")
        changes[key] = readers[kind](value)
    return name, changes


def _runs(
    retriever: HybridRetriever,
    label: str,
    configs: Sequence[tuple[str, dict[str, Any]]],
    questions: Sequence[Question],
    filters: Filters | None,
) -> list[Run]:
    runs = []
    for name, changes in configs:
        started = time.perf_counter()
        run = run_in_process(retriever.with_fusion(**changes), questions, f"{label}: {name}", filters=filters)
        print(f"  {run.name}: {len(questions)} questions in {time.perf_counter() - started:.0f} s ({load_average()})")
        runs.append(run)
    return runs


def _cell(evaluation: Evaluation, run: str, metric: str, slice_name: str) -> str:
    mean = evaluation.interval(run, metric, slice_name)
    text = f"{mean.value:.3f} [{mean.low:.3f}, {mean.high:.3f}]"
    if run == evaluation.baseline:
        return text
    diff = evaluation.difference(run, metric, slice_name)
    star = "\\*" if diff.excludes_zero else ""
    return f"{text}; Δ {diff.value:+.3f} [{diff.low:+.3f}, {diff.high:+.3f}]{star}"


def table(evaluation: Evaluation, title: str, slice_name: str = ALL) -> list[str]:
    ids = evaluation.slices.get(slice_name, [])
    lines = [
        f"**{title}** ({len(ids)} questions{'' if slice_name == ALL else ', slice ' + slice_name}; "
        f"Δ = minus `{evaluation.baseline}`, paired bootstrap 95 %)",
        "",
        "| index: configuration | " + " | ".join(METRIC_LABELS[m] for m in METRICS_SHOWN) + " |",
        "|---|" + "---|" * len(METRICS_SHOWN),
    ]
    for config in evaluation.configs:
        cells = [_cell(evaluation, config.name, m, slice_name) for m in METRICS_SHOWN]
        lines.append(f"| {config.name} | " + " | ".join(cells) + " |")
    return lines + [""]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=Path, help="Index of the WSIS documents alone (sets all on them).")
    parser.add_argument("--large", type=Path, required=True, help="Index with the collection beside them.")
    parser.add_argument("--set", action="append", required=True, help="NAME=FILE (repeatable).")
    parser.add_argument("--large-only", action="append", default=[], help="Set names scored on --large only.")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        help="Document ids left out of the --large searches of the sets scored on both indexes.",
    )
    parser.add_argument("--config", action="append", required=True, help="NAME=field:value,... (repeatable).")
    parser.add_argument("--small-configs", default="", help="Comma-separated config names also run on --small.")
    parser.add_argument("--signals", help="Signals joined by '+' for both indexes (default: the default search's).")
    parser.add_argument(
        "--outside",
        type=Path,
        help="A question set: each scored set also reports the slice of its questions not in it "
        "(e.g. heldout-wsis.jsonl: the held-out questions with evidence in the collection).",
    )
    parser.add_argument("--out", type=Path, help="Write the per-query scores and intervals as JSON here.")
    args = parser.parse_args(argv)

    settings = get_settings()
    try:
        configs = [parse_config(spec) for spec in args.config]
    except ValueError as error:
        parser.error(str(error))
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {load_average()}")
    large = load_retriever(settings.model_copy(update={"index_dir": args.large}))
    small = load_retriever(settings.model_copy(update={"index_dir": args.small})) if args.small else None
    if args.signals:
        large = large.with_signals(args.signals.split("+"))
        small = small.with_signals(args.signals.split("+")) if small else None
    inside = {q.id for q in load_questions(args.outside)} if args.outside else set()
    allowed = [d.id for d in large.documents if d.id not in set(args.exclude)]
    filters = Filters(doc=allowed) if args.exclude else None
    print(
        f"large: {len(large.passages):,} passages, {len(large.documents)} documents, signals "
        f"{'+'.join(large.signals)}; excluded from the sets on both indexes: {args.exclude or 'nothing'}"
    )
    print(f"fusion (defaults): {FusionConfig()}")
    output: dict[str, Any] = {}
    for spec in args.set:
        name, _, path = spec.partition("=")
        questions = load_questions(Path(path))
        print(f"\n### {name} ({len(questions)} questions)")
        check_snippets(questions, (p.text for p in large.passages))
        runs: list[Run] = []
        baseline = None
        if small is not None and name not in args.large_only:
            check_snippets(questions, (p.text for p in small.passages))
            wanted = [c for c in configs if c[0] in args.small_configs.split(",")] or configs[:1]
            runs += _runs(small, SMALL, wanted, questions, None)
            baseline = runs[0].name
        runs += _runs(large, "collection", configs, questions, None if name in args.large_only else filters)
        evaluation = evaluate(questions, runs, baseline=baseline)
        outside = [q.id for q in questions if q.id not in inside] if inside else []
        if outside:
            evaluation.slices[OUTSIDE] = outside
        lines = table(evaluation, name)
        for slice_name in (CROSS_LINGUAL, OUTSIDE):
            if evaluation.slices.get(slice_name):
                lines += table(evaluation, name, slice_name)
        print("\n".join(lines))
        output[name] = evaluation.as_json()
    if args.out:
        args.out.write_text(json.dumps(output, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
