"""What text the layers accept, and helpers over decoded JSON-like values."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

SEARCHABLE = re.compile(r"[^\W_]")  # a letter or digit of any script
DECIMAL = re.compile(r"-?[0-9]+")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but \t \n \r
SURROGATES = re.compile(r"[\ud800-\udfff]")


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` applied to every string in it, through lists and dict values."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [map_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, change) for k, v in value.items()}
    return value
