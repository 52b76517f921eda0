"""The regression gate: the default configuration on the dev set must stay above the floors
of `floors.toml` (one table, also read by tests/test_retrieval_quality.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .metrics import METRIC_LABELS, Evaluation
from .systems import DEFAULT_CONFIG

FLOORS_FILE = Path(__file__).with_name("floors.toml")


def load_floors(path: Path = FLOORS_FILE) -> dict[str, dict[str, float]]:
    """Slice name ("all", "cross-lingual", ...) -> metric -> floor."""
    with path.open("rb") as file:
        table = tomllib.load(file)
    unknown = [f"{s}.{m}" for s, metrics in table.items() for m in metrics if m not in METRIC_LABELS]
    if unknown:
        raise ValueError(f"{path}: unknown metrics {unknown}; known: {sorted(METRIC_LABELS)}")
    return {s: {m: float(floor) for m, floor in metrics.items()} for s, metrics in table.items()}


FLOORS = load_floors()


def gate_failures(evaluation: Evaluation, config: str = DEFAULT_CONFIG) -> list[str]:
    """One line per metric of `config` that fell below its floor (empty = the gate passes).
    A slice the question set has no question for is not judged."""
    failures = []
    for slice_name, floors in FLOORS.items():
        if not evaluation.slices.get(slice_name):
            continue
        scores = evaluation.means(slice_name)[config]
        where = "" if slice_name == "all" else f" ({slice_name})"
        failures += [
            f"{config} {METRIC_LABELS[m]}{where} {scores[m]:.3f} < floor {floor:.2f}"
            for m, floor in floors.items()
            if scores[m] < floor
        ]
    return failures
