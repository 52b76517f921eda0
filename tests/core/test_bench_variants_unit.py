"""`wsis bench variants`' own parts: the shuffled turns and how a variant is written."""

from __future__ import annotations

import numpy as np
import pytest

from wsis_rag.eval.bench.variants import SIGNALS, parse_variant, turn_order


def test_each_question_takes_its_turns_in_an_order_of_its_own() -> None:
    names = ["default", "e5-first", "control"]
    rng = np.random.default_rng(7)
    turns = [turn_order(names, rng) for _ in range(300)]
    assert all(sorted(order) == sorted(names) for order in turns)
    # Every variant goes first about as often as the others, and after each of the others.
    firsts = {name: sum(order[0] == name for order in turns) for name in names}
    assert all(70 <= count <= 130 for count in firsts.values()), firsts
    assert len({tuple(order) for order in turns}) == 6
    assert turn_order(names, np.random.default_rng(7)) == turns[0]


def test_a_variant_names_fusion_fields_and_its_signals() -> None:
    assert parse_variant("default=") == ("default", {})
    name, changes = parse_variant("use-first=signals:bm25+use+e5,rerank:0,focus_documents:5")
    assert name == "use-first"
    assert changes == {"rerank": False, "focus_documents": 5, SIGNALS: ["bm25", "use", "e5"]}
    with pytest.raises(ValueError, match="unknown fusion field 'nosuch'"):
        parse_variant("b=nosuch:1")
