"""Multi-part questions split by rules into parts, each answered and cited on its own:

- two questions in one: "For how long did A/RES/70/125 extend the IGF mandate, and what did
  A/RES/80/173 decide about the Forum's status?" (", and" before a question word), or two
  question marks;
- "compare what A and B say about T" -> "What does A say about T?", "What does B say about T?";
- two documents in one question: "What do the WSIS+20 outcome and the GDC say about
  Internet shutdowns?", "A/RES/70/125和A/RES/80/173分别如何…" -> one question per document;
- one verb, two addressees with their preposition repeated: "What does A/RES/80/173 assign
  to ITU and to UNESCO?" -> "... to ITU?", "... to UNESCO?".

A part must keep at least two content terms of its own ("and who will consider it?" is no
question alone): otherwise the question stays whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .sentences import content_terms

MIN_PART_TERMS = 2
_QUESTION_WORD = (
    r"(?:what|which|who|whom|whose|when|where|why|how|in which|in what|under what|for how|to what|"
    r"is|are|does|do|did|has|have)"
)
# ", and what did ..." / "; and how ..." between two questions.
_TWO_QUESTIONS = re.compile(rf"\s*[,;]\s*and\s+(?={_QUESTION_WORD}\b)", re.IGNORECASE)
_QUESTION_MARK = re.compile(r"(?<=[?？])\s*(?=\S)")
_COMPARE = re.compile(
    r"^\s*compare\s+(?:what|how)\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+(?:say|said|state|provide|write)s?\s+"
    r"(?P<rest>(?:about|on|regarding|concerning)\s+.+?)[.?!]?\s*$",
    re.IGNORECASE,
)
# "to ITU and to UNESCO", "of Member States and of the private sector".
_REPEATED_PREPOSITION = re.compile(
    r"\b(?P<prep>to|of|for|from|on|by|with)\s+(?P<a>[^,;?]+?)\s+and\s+(?P=prep)\s+(?P<b>[^,;?]+?)(?P<end>[?？.]?\s*)$",
    re.IGNORECASE,
)
_PLURAL_VERB = re.compile(r"^(\s*(?:what|how|where|when|why)\s+)do\b", re.IGNORECASE)


def split_question(question: str, document_names: Sequence[str] = ()) -> list[str]:
    """The parts of a multi-part question, or the question alone. `document_names` are the
    names of the documents it mentions, as written in it (two of them joined by "and" or
    "和" make one part per document)."""
    for rule in (_two_questions, _compared, lambda q: _per_document(q, document_names), _per_addressee):
        parts = rule(question)
        if len(parts) > 1 and all(len(content_terms(p)) >= MIN_PART_TERMS for p in parts):
            return parts
    return [question]


def _as_question(text: str, mark: str = "?") -> str:
    text = text.strip().rstrip(",;")
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith(("?", "？", ".")) else text + mark


def _two_questions(question: str) -> list[str]:
    pieces = [p for p in _QUESTION_MARK.split(question.strip()) if p.strip()]
    if len(pieces) > 1:
        return [_as_question(p) for p in pieces]
    pieces = _TWO_QUESTIONS.split(question)
    mark = "？" if question.rstrip().endswith("？") else "?"
    return [_as_question(p, mark) for p in pieces] if len(pieces) == 2 else [question]


def _compared(question: str) -> list[str]:
    match = _COMPARE.match(question)
    if not match:
        return [question]
    return [f"What does {match[side]} say {match['rest']}?" for side in ("a", "b")]


def _per_document(question: str, names: Sequence[str]) -> list[str]:
    for a in names:
        for b in names:
            if a == b:
                continue
            joined = re.search(
                rf"{re.escape(a)}\s*(?:\band\b|和|与|及)\s*(?:the\s+)?{re.escape(b)}(?:\s*分别)?", question
            )
            if joined:
                return [
                    _PLURAL_VERB.sub(r"\1does", question[: joined.start()] + name + question[joined.end() :])
                    for name in (a, b)
                ]
    return [question]


def _per_addressee(question: str) -> list[str]:
    match = _REPEATED_PREPOSITION.search(question)
    if not match:
        return [question]
    head, prep, end = question[: match.start()], match["prep"], match["end"] or "?"
    return [f"{head}{prep} {match[side]}{end}".strip() for side in ("a", "b")]
