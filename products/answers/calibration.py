"""What answers learned on the dev split, read from calibration.toml: the sentence-choice
model, the support model and its thresholds, and the few selection settings chosen with
them. The file is written by `python -m wsis_rag.eval.answer_calibration` (its header
says when and on what); docs/decisions/abstention.md explains the choice. No threshold of
answers lives in code."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...core.logistic import CalibrationError, LogisticModel
from .choice import SENTENCE_FEATURES
from .support import SUPPORT_FEATURES

CALIBRATION_PATH = Path(__file__).with_name("calibration.toml")


@dataclass(frozen=True)
class Calibration:
    choice: LogisticModel  # P(a sentence comes from a gold clause)
    support: LogisticModel  # P(the corpus answers the question): the response's `confidence`
    strong: float  # confidence at or above: `support: strong`
    weak: float  # at or above (and under `strong`): `weak`, shown with a warning; under: `none`, declined
    passages: int = 8  # retrieved clauses whose sentences are candidates
    max_sentences: int = 4  # the lead and the further clauses together
    keep: float = 0.5  # the lead: sentences scoring at least this share of their group's best
    carry: float = 1.0  # further clauses: best sentence scoring at least this share of their group's best


SELECTION = {"passages": int, "max_sentences": int, "keep": float, "carry": float}


def parse_calibration(raw: Mapping[str, Any]) -> Calibration:
    """A calibration from the TOML's tables, checked against the features the code computes."""
    try:
        models = {}
        for name, known in (("choice", SENTENCE_FEATURES), ("support", SUPPORT_FEATURES)):
            models[name] = LogisticModel.from_toml(raw[name], known, name)
        thresholds = raw["support"]["thresholds"]
        selection = raw.get("selection", {})
        unknown = set(selection) - set(SELECTION)
        if unknown:
            raise CalibrationError(f"[selection] has unknown settings {sorted(unknown)}; known: {sorted(SELECTION)}")
        return Calibration(
            choice=models["choice"],
            support=models["support"],
            strong=float(thresholds["strong"]),
            weak=float(thresholds["weak"]),
            **{key: SELECTION[key](value) for key, value in selection.items()},
        )
    except KeyError as exc:
        raise CalibrationError(f"calibration lacks {exc}") from exc


@lru_cache
def load_calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    return parse_calibration(tomllib.loads(path.read_text(encoding="utf-8")))
