"""Fitting the logistic models the service keeps as data (core/logistic.py), and writing
them back as TOML: shared by the calibrations of answers and of the search's rerank stage."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np
from scipy.optimize import minimize

from ..core.logistic import LogisticModel
from ..core.settings import PROJECT_ROOT

L2 = 1.0  # penalty on the standardised weights


def fit_logistic(x: np.ndarray, y: np.ndarray, signs: Mapping[str, int], l2: float = L2) -> LogisticModel:
    """L2-regularised logistic regression on standardised features (the columns of `x`,
    in the order of `signs`), each weight held to its sign (+1: at least 0, -1: at most 0,
    0: free); returned in the features' own units (the product applies it to raw features)."""
    names = list(signs)
    sign_bounds = {1: (0.0, None), -1: (None, 0.0), 0: (None, None)}
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    design = np.hstack([np.ones((len(z), 1)), z])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        logits = design @ w
        p = 1 / (1 + np.exp(-logits))
        nll = np.sum(np.logaddexp(0, logits) - y * logits)
        penalty = 0.5 * l2 * np.sum(w[1:] ** 2)
        grad = design.T @ (p - y)
        grad[1:] += l2 * w[1:]
        return float(nll + penalty), grad

    bounds = [(None, None), *(sign_bounds[signs[name]] for name in names)]
    w = minimize(loss, np.zeros(design.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds).x
    weights = w[1:] / std
    intercept = float(w[0] - np.sum(weights * mean))
    return LogisticModel(
        round(intercept, 4), {n: round(float(v), 4) for n, v in zip(names, weights, strict=True) if v != 0}
    )


def model_lines(name: str, model: LogisticModel) -> list[str]:
    """The TOML tables `[name]` and `[name.weights]` of `model`."""
    return [
        f"[{name}]",
        f"intercept = {model.intercept}",
        "",
        f"[{name}.weights]",
        *(f"{feature} = {weight}" for feature, weight in model.weights.items()),
        "",
    ]


def header_lines(what: str, reader: str, command: str, summary: str) -> list[str]:
    """The comment lines that open a calibration file: what it holds, who reads it, the
    command, date and commit that wrote it, and the summary of the fit."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT_ROOT
    ).stdout.strip()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"# {what} ({reader} reads it).",
        f"# Written by `{command}`",
        f"# on {stamp}, at commit {commit or 'unknown'}; do not edit by hand: run the command again.",
        *(f"# {line}" for line in summary.splitlines()),
        "",
    ]
