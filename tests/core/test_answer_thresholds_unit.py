"""The answers' two thresholds, as `python -m wsis_rag.eval.answer_calibration` chooses them."""

from __future__ import annotations

import numpy as np

from wsis_rag.eval.answer_calibration import thresholds_of

ANSWERABLE = [0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.2]
UNANSWERABLE = [0.1, 0.15, 0.25, 0.5, 0.72, 0.85]


def _split(answerable: list[float], unanswerable: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(answerable + unanswerable), np.array([False] * len(answerable) + [True] * len(unanswerable))


def test_weak_is_the_best_f1_that_declines_few_answerable_questions_and_strong_a_rate_of_the_unanswerable() -> None:
    confidences, unanswerable = _split(ANSWERABLE, UNANSWERABLE)
    # Under 0.3: three unanswerable questions and one answerable one (0.2) declined; 0.35
    # would decline a second answerable one, more than 10 %.
    weak, strong = thresholds_of(confidences, unanswerable, max_declined=0.1, max_unanswerable=1 / 6)
    assert weak == 0.3
    # At 0.8 one unanswerable question in six (0.85) is answered as fact; at 0.72, two.
    assert strong == 0.8
    assert thresholds_of(confidences, unanswerable, max_declined=0.0, max_unanswerable=0.0) == (0.2, 0.9)


def test_strong_does_not_move_with_the_dev_splits_mix() -> None:
    weak, strong = thresholds_of(*_split(ANSWERABLE, UNANSWERABLE), max_declined=0.1, max_unanswerable=1 / 6)
    # Twice as many unanswerable questions of the same confidences, or ten more answerable
    # ones, leave the share of the unanswerable ones reaching each threshold as it was.
    assert thresholds_of(*_split(ANSWERABLE, UNANSWERABLE * 2), 0.1, 1 / 6)[1] == strong
    assert thresholds_of(*_split(ANSWERABLE + [0.95] * 10, UNANSWERABLE), 0.1, 1 / 6)[1] == strong
