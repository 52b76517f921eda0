"""Logistic models kept as data: fitted on the dev splits by the evaluation package and
read from TOML by the stage that applies them (the search's rerank stage, the answers'
sentence choice and support). On the ground floor because both the index and the products
apply one, and each may import only what lies below it."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any


class CalibrationError(ValueError):
    """A calibration file is missing a setting, or weighs a feature the code does not compute."""


@dataclass(frozen=True)
class LogisticModel:
    """P(yes | features) = 1 / (1 + exp(-(intercept + Σ weight × feature)))."""

    intercept: float
    weights: Mapping[str, float]

    def logit(self, features: Mapping[str, float]) -> float:
        return self.intercept + sum(w * features[name] for name, w in self.weights.items())

    def probability(self, features: Mapping[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(min(self.logit(features), 50.0), -50.0)))

    def as_toml(self) -> dict[str, Any]:
        return {"intercept": self.intercept, "weights": dict(self.weights)}

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], known: Collection[str], name: str) -> LogisticModel:
        """The model of a TOML table `[name]` (its `intercept` and `[name.weights]`), which
        may weigh only the `known` features."""
        try:
            weights = {k: float(v) for k, v in table["weights"].items()}
            intercept = float(table["intercept"])
        except KeyError as exc:
            raise CalibrationError(f"[{name}] lacks {exc}") from exc
        unknown = set(weights) - set(known)
        if unknown:
            raise CalibrationError(f"[{name}] weighs features the code does not compute: {sorted(unknown)}")
        return cls(intercept, weights)
