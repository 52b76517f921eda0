"""The outputs of an evaluation: tables (shared by the Markdown file and the terminal), a
JSON file and a PNG chart."""

from __future__ import annotations

import json
import string
from pathlib import Path

from ..core.tables import Column, Table
from .metrics import (
    ALL,
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    CROSS_LINGUAL,
    CROSS_ZH_EN,
    METRIC_LABELS,
    METRICS,
    SIGNIFICANCE_LEVEL,
    Evaluation,
)

DIFFERENCE_METRICS = ("recall@10", "mrr@10")


def _columns(names: list[str]) -> list[Column]:
    """The first two columns name the row, the others hold figures."""
    return [Column(name, justify="left" if i < 2 else "right") for i, name in enumerate(names)]


def config_letters(evaluation: Evaluation) -> dict[str, str]:
    return {c.name: string.ascii_lowercase[i % 26] for i, c in enumerate(evaluation.configs)}


def comparison_table(evaluation: Evaluation, slice_name: str = ALL) -> Table:
    """All configurations on one slice: each metric's mean with its 95 % bootstrap interval,
    and the difference from the baseline, marked * only when its paired interval excludes
    zero (otherwise the two are not told apart). Letters after a mean: configurations it
    beats by the ranx paired test (p < SIGNIFICANCE_LEVEL; whole set only)."""
    letters = config_letters(evaluation)
    rows = []
    for config in evaluation.configs:
        cells = []
        for metric in METRICS:
            mean = evaluation.interval(config.name, metric, slice_name)
            cell = f"{mean.value:.3f} [{mean.low:.3f}, {mean.high:.3f}]"
            if slice_name == ALL:
                beaten = [
                    letters[o.name]
                    for o in evaluation.configs
                    if evaluation.significantly_better(config.name, o.name, metric)
                ]
                cell += f" ({','.join(beaten)})" if beaten else ""
            cells.append(cell)
        for metric in DIFFERENCE_METRICS:
            cells.append(
                "–"
                if config.name == evaluation.baseline
                else difference_cell(evaluation, config.name, metric, slice_name)
            )
        rows.append([letters[config.name], config.name, *cells])
    title = "All queries" if slice_name == ALL else f"Slice {slice_name}"
    note = (
        f"{len(evaluation.slices[slice_name])} queries, macro-averaged; [95 % paired bootstrap interval, "
        f"{BOOTSTRAP_RESAMPLES} resamples, seed {BOOTSTRAP_SEED}]. Δ = minus the baseline {evaluation.baseline!r}; "
        "* = the interval of the difference excludes zero."
    )
    if slice_name == ALL:
        note += f" Letters: significantly better than those configurations ({evaluation.stat_test} test, p < {SIGNIFICANCE_LEVEL})."
    header = [
        "letter",
        "configuration",
        *(METRIC_LABELS[m] for m in METRICS),
        *(f"Δ{METRIC_LABELS[m]}" for m in DIFFERENCE_METRICS),
    ]
    return Table(title, _columns(header), rows, caption=note)


def difference_cell(evaluation: Evaluation, name: str, metric: str, slice_name: str) -> str:
    diff = evaluation.difference(name, metric, slice_name)
    return f"{diff.value:+.3f} [{diff.low:+.3f}, {diff.high:+.3f}]" + ("*" if diff.excludes_zero else "")


def breakdown_table(evaluation: Evaluation, metric: str) -> Table:
    """One metric per slice (rows) and configuration (columns)."""
    rows = []
    for name, ids in evaluation.slices.items():
        means = evaluation.means(name)
        rows.append(
            [name, str(len(ids)), *(f"{means[c.name][metric]:.3f}" if ids else "–" for c in evaluation.configs)]
        )
    return Table(
        f"{METRIC_LABELS[metric]} by slice", _columns(["slice", "n", *(c.name for c in evaluation.configs)]), rows
    )


def all_tables(evaluation: Evaluation) -> list[Table]:
    crossing = [comparison_table(evaluation, s) for s in (CROSS_LINGUAL, CROSS_ZH_EN) if evaluation.slices.get(s)]
    return [comparison_table(evaluation), *crossing, *(breakdown_table(evaluation, m) for m in METRICS)]


def to_markdown(evaluation: Evaluation, heading: str) -> str:
    parts = [f"# {heading}\n"]
    for table in all_tables(evaluation):
        parts.append(f"## {table.title}\n")
        parts.append("| " + " | ".join(column.name for column in table.columns) + " |")
        parts.append("|" + "---|" * len(table.columns))
        parts.extend("| " + " | ".join(map(str, row)) + " |" for row in table.rows)
        parts.append(f"\n{table.caption}\n" if table.caption else "")
    shared = {c.name: len(c.shared_ranks) for c in evaluation.configs if c.shared_ranks}
    if shared:
        parts.append(
            "Queries where one passage was the first to match several gold items (ranx ranks those items "
            f"consecutively): {', '.join(f'{name}: {n}' for name, n in shared.items())}.\n"
        )
    return "\n".join(parts)


def write_chart(evaluation: Evaluation, path: Path) -> None:
    """Grouped bars: every metric on the whole set, and nDCG@10 per slice."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    configs = [c.name for c in evaluation.configs]
    slice_names = [name for name, ids in evaluation.slices.items() if ids]
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1, 2.2]})
    width = 0.8 / len(configs)
    overall = evaluation.means(ALL)
    by_slice = {name: evaluation.means(name) for name in slice_names}
    for i, config in enumerate(configs):
        offset = (i - (len(configs) - 1) / 2) * width
        left.bar(np.arange(len(METRICS)) + offset, [overall[config][m] for m in METRICS], width, label=config)
        right.bar(np.arange(len(slice_names)) + offset, [by_slice[s][config]["ndcg@10"] for s in slice_names], width)
    left.set_xticks(range(len(METRICS)), [METRIC_LABELS[m] for m in METRICS])
    left.set_title(f"All queries (n={len(evaluation.slices[ALL])})")
    right.set_xticks(
        range(len(slice_names)), [f"{s}\n(n={len(evaluation.slices[s])})" for s in slice_names], fontsize=8
    )
    right.set_title("nDCG@10 by slice")
    for axis in (left, right):
        axis.set_ylim(0, 1.05)
        axis.grid(axis="y", alpha=0.3)
    left.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_outputs(evaluation: Evaluation, out_dir: Path, heading: str, context: dict[str, object]) -> dict[str, Path]:
    """`evaluation.md`, `evaluation.json` (with `context`: set, mode, k...) and
    `evaluation.png` in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / f"evaluation.{kind}" for kind in ("md", "json", "png")}
    paths["md"].write_text(to_markdown(evaluation, heading), encoding="utf-8")
    payload = {**context, **evaluation.as_json()}
    paths["json"].write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    write_chart(evaluation, paths["png"])
    return paths
