"""`wsis bench variants`' own arithmetic: the rotation that gives every variant the first
turn as often as the others, the paired p50 difference, and how a variant is written."""

from __future__ import annotations

import pytest

from wsis_rag.eval.bench.variants import SIGNALS, median_difference, parse_variant, rotated


def test_every_variant_searches_first_as_often_as_the_others() -> None:
    names = ["default", "e5-first", "control"]
    turns = [rotated(names, turn) for turn in range(6)]
    assert all(sorted(order) == sorted(names) for order in turns)
    assert {name: sum(order[0] == name for order in turns) for name in names} == dict.fromkeys(names, 2)
    assert rotated(names, 1) == ["e5-first", "control", "default"]


def test_the_p50_difference_is_paired_and_its_interval_holds_it() -> None:
    baseline = [10.0, 11.0, 12.0, 13.0, 14.0] * 20
    slower = [value + 1.0 for value in baseline]
    difference = median_difference(slower, baseline)
    assert difference.value == pytest.approx(1.0)
    assert difference.low <= 1.0 <= difference.high and difference.low > 0
    same = median_difference(baseline, baseline)
    assert same.value == same.low == same.high == 0.0


def test_a_variant_names_fusion_fields_and_its_signals() -> None:
    assert parse_variant("default=") == ("default", {})
    name, changes = parse_variant("use-first=signals:bm25+use+e5,rerank:0,focus_documents:5")
    assert name == "use-first"
    assert changes == {"rerank": False, "focus_documents": 5, SIGNALS: ["bm25", "use", "e5"]}
    with pytest.raises(ValueError, match="unknown fusion field 'nosuch'"):
        parse_variant("b=nosuch:1")
