"""Runs (what a system returned per query) and the standard TREC run and qrels files, so
that results can be exchanged with other IR tools (trec_eval, ranx, ir-measures).

A `Run` keeps the passage text with each id because relevance is decided on the text the
system returned (../shared/eval/README.md). TREC files have no column for it: reading a
TREC run back needs the texts of the passages it names (e.g. from the index).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field

from ..core.errors import WsisError

T = TypeVar("T")
Qrels = dict[str, dict[str, int]]  # query id -> {doc id: relevance}


class TrecFormatError(WsisError):
    """A TREC run or qrels file that does not follow the format (the message names the line)."""


class RankedPassage(BaseModel):
    id: str
    score: float
    text: str = Field(description="The passage text as the system returned it; relevance is judged on it.")


class Run(BaseModel):
    """One configuration's answers: query id -> passages, best first."""

    name: str
    results: dict[str, list[RankedPassage]] = Field(default_factory=dict)


def write_trec_run(run: Run, path: Path) -> None:
    """`qid Q0 docid rank score tag`, one line per returned passage, ranks from 1."""
    ranked = {qid: [(p.id, p.score) for p in passages] for qid, passages in run.results.items()}
    write_trec_ranking(ranked, run.name, path)


def write_trec_ranking(ranked: Mapping[str, Sequence[tuple[str, float]]], tag: str, path: Path) -> None:
    """Any ranking (query id -> [(doc id, score)], best first) as a TREC run file."""
    lines = [
        f"{qid} Q0 {doc_id} {rank} {score:.6f} {_tag(tag)}\n"
        for qid, docs in ranked.items()
        for rank, (doc_id, score) in enumerate(docs, start=1)
    ]
    Path(path).write_text("".join(lines), encoding="utf-8")


def read_trec_run(path: Path, passage_text: Mapping[str, str], name: str | None = None) -> Run:
    """A TREC run file, ordered by its rank column, with each passage's text looked up in
    `passage_text` (a passage the mapping does not know is an error, not an empty text)."""
    rows: dict[str, list[tuple[int, RankedPassage]]] = {}
    tag = None
    for number, fields in _rows(path, 6):
        qid, _, doc_id, rank, score, tag = fields
        if doc_id not in passage_text:
            raise TrecFormatError(f"{path}:{number}: passage {doc_id!r} is not in the index")
        passage = RankedPassage(id=doc_id, score=_number(score, float, path, number), text=passage_text[doc_id])
        rows.setdefault(qid, []).append((_number(rank, int, path, number), passage))
    results = {qid: [p for _, p in sorted(ranked, key=lambda r: (r[0], -r[1].score))] for qid, ranked in rows.items()}
    return Run(name=name or tag or Path(path).stem, results=results)


def write_trec_qrels(qrels: Qrels, path: Path) -> None:
    """`qid 0 docid relevance`, one line per judged document."""
    lines = [f"{qid} 0 {doc_id} {rel}\n" for qid, docs in qrels.items() for doc_id, rel in docs.items()]
    Path(path).write_text("".join(lines), encoding="utf-8")


def read_trec_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    for number, (qid, _, doc_id, rel) in _rows(path, 4):
        qrels.setdefault(qid, {})[doc_id] = _number(rel, int, path, number)
    return qrels


def _rows(path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrecFormatError(f"{path}: cannot read ({exc})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != width:
            raise TrecFormatError(f"{path}:{number}: expected {width} columns, found {len(fields)}")
        yield number, fields


def _number(value: str, kind: Callable[[str], T], path: Path, number: int) -> T:
    try:
        return kind(value)
    except ValueError as exc:
        raise TrecFormatError(
            f"{path}:{number}: {value!r} is not a valid {getattr(kind, '__name__', 'number')}"
        ) from exc


def _tag(name: str) -> str:
    # The tag is one whitespace-free column.
    return "_".join(name.split()) or "run"
