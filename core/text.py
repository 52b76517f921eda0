"""What text the layers accept, and helpers over decoded JSON-like values."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# A letter or digit of the corpus's scripts (the six UN languages: Latin, Cyrillic, Arabic,
# Chinese; with Greek, kana and Hangul). Written as explicit ranges, not `\w`, because the
# same pattern is the OpenAPI schema's, and JSON Schema reads `\w` as ASCII only.
SEARCHABLE = re.compile(
    r"[0-9A-Za-z\u00AA\u00B5\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u03FF\u0400-\u04FF"
    r"\u0620-\u064A\u0660-\u0669\u06F0-\u06F9\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF"
    r"\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]"
)
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
