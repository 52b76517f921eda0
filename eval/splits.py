"""Dev and test splits of the question sets for what is tuned on questions (the answers'
sentence choice and abstention thresholds): chosen on `dev`, reported on `test`, as SQuAD
2.0 chooses its no-answer threshold.

A set that records a `split` per question (unanswerable.jsonl, answerable-mix.jsonl,
collection.jsonl) keeps it. Any other question (heldout-wsis.jsonl, ../shared/eval/dev.jsonl)
is assigned by a hash of its id alone: the same question lands on the same side whatever
set it is read from and whatever questions are added beside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .questions import Question

DEV, TEST = "dev", "test"
SPLITS = (DEV, TEST)
# The share of hashed questions that goes to dev (the recorded splits hold about 40 % too).
DEV_SHARE = 0.4


def split_of(question: Question) -> str:
    """`dev` or `test`: the set's own split, else by the sha1 of the id."""
    if question.split in SPLITS:
        return question.split
    digest = int.from_bytes(hashlib.sha1(question.id.encode("utf-8")).digest()[:4], "big")
    return DEV if digest / 2**32 < DEV_SHARE else TEST


def in_split(questions: Iterable[Question], split: str | None) -> list[Question]:
    """The questions of one split (None: all of them)."""
    return [q for q in questions if split is None or split_of(q) == split]
