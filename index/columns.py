"""The passages' per-row fields as numpy columns, stored beside passages.jsonl.

Loading an index reads these columns, not the passages (parsing 87,000 passages took
2.6 s; the columns load in milliseconds), and a passage is parsed when it is first needed
(`StoredPassages`). A filter (`doc=`, `lang=`, `type=`, `body=`, `year=`) becomes a few
vectorised comparisons of small integer codes instead of a Python test per passage per
query, and a document's passages (for `doc=` and for `neighbours`) are looked up, not
searched for.
"""

from __future__ import annotations

import mmap
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np

from ..core.vocabulary import Passage
from .near_duplicates import clause_groups

NO_YEAR = -1
TEXT_FIELDS = ("id", "doc_id", "anchor", "lang", "doc_type", "body")


class PassageColumns:
    def __init__(self, fields: dict[str, np.ndarray]) -> None:
        self.fields = fields
        self.size = len(fields["id"])
        self.ids: np.ndarray = fields["id"]
        self.doc_ids: np.ndarray = fields["doc_id"]
        self.anchors: np.ndarray = fields["anchor"]
        self.langs: np.ndarray = fields["lang"]
        self.year: np.ndarray = fields["year"]
        self.order: np.ndarray = fields["order"]
        # Near-identical clauses share a group id (near_duplicates.py): the first row of the group.
        self.group: np.ndarray = fields["group"]
        # Small integer codes of the values the filters compare (as the retriever
        # normalises them: languages lower-cased, bodies case-folded).
        self._doc_values, self.doc = np.unique(self.doc_ids, return_inverse=True)
        self._lang_values, self.lang = _codes(self.langs, str.lower)
        self._type_values, self.type = np.unique(fields["doc_type"], return_inverse=True)
        self._body_values, self.body = _codes(fields["body"], str.casefold)
        # Rows of each document in document order: one stable sort, then split per document.
        by_doc = np.lexsort((self.order, self.doc))
        bounds = np.flatnonzero(np.diff(self.doc[by_doc])) + 1
        self._rows_of_doc = {int(self.doc[rows[0]]): rows for rows in np.split(by_doc, bounds) if len(rows)}

    @classmethod
    def from_passages(cls, passages: Sequence[Passage]) -> PassageColumns:
        text = {name: np.array([str(getattr(p, name)) for p in passages], dtype=str) for name in TEXT_FIELDS}
        numbers: dict[str, np.ndarray] = {
            "year": np.array([NO_YEAR if p.year is None else p.year for p in passages], dtype=np.int32),
            "order": np.array([p.order for p in passages], dtype=np.int64),
            "group": clause_groups([p.text for p in passages]),
            "front_matter": np.array([p.is_front_matter for p in passages], dtype=bool),
        }
        if not passages:  # np.array([]) of str is float64
            text = {name: np.zeros(0, dtype="<U1") for name in TEXT_FIELDS}
        return cls({**text, **numbers})

    def save(self, path: Path) -> None:
        with path.open("wb") as out:
            np.savez(out, **self.fields)  # type: ignore[arg-type]  # numpy's stub types **kwds as its flags

    @classmethod
    def load(cls, path: Path) -> PassageColumns:
        """The columns memory-mapped where `save` wrote them: np.savez stores each array
        uncompressed in the zip, so it is read in place. (np.load copies each array out and
        CRC-checks it: 0.6 s at 10^5 rows under load; the index's own sha256 covers the file.)"""
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
        if any(m.compress_type != zipfile.ZIP_STORED for m in members):
            with np.load(path) as data:  # compressed by another writer: read it the slow way
                return cls({name: data[name] for name in data.files})
        fields: dict[str, np.ndarray] = {}
        with path.open("rb") as file:
            for member in members:
                file.seek(member.header_offset)
                local = file.read(30)  # the local header: its name and extra lengths come last
                start = member.header_offset + 30 + int.from_bytes(local[26:28], "little")
                start += int.from_bytes(local[28:30], "little")
                file.seek(start)
                major, _ = np.lib.format.read_magic(file)
                read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
                shape, fortran, dtype = read_header(file)
                name = member.filename.removesuffix(".npy")
                fields[name] = np.asarray(  # a plain array over the mapping, as `mapped_array`
                    np.memmap(
                        path, dtype=dtype, mode="r", offset=file.tell(), shape=shape, order="F" if fortran else "C"
                    )
                )
        return cls(fields)

    def front_matter_test(self, passages: Sequence[Passage]) -> Callable[[int], bool]:
        """Whether a row is front matter (`Passage.is_front_matter`): read from the column of
        an index built since 2026-12-02, held as a list (an element of a memory-mapped array
        costs ~0.7 us, and the prior reads one per candidate); for an older index, the
        passage itself is tested when first asked about (parsing them all at load would
        cost seconds at 10^5)."""
        if "front_matter" in self.fields:
            flags: list[bool] = self.fields["front_matter"].tolist()
            return flags.__getitem__
        return lambda row: passages[row].is_front_matter

    def _code(self, values: np.ndarray, value: str) -> int | None:
        at = int(np.searchsorted(values, value))
        return at if at < len(values) and values[at] == value else None

    def doc_rows(self, doc_id: str) -> np.ndarray:
        """The document's rows in document order (empty for a document it does not hold)."""
        code = self._code(self._doc_values, doc_id)
        return self._rows_of_doc[code] if code is not None else np.zeros(0, dtype=np.int64)

    def neighbour_rows(self, row: int, n: int) -> np.ndarray:
        """Rows of the passages at most `n` positions either side of `row` in its document."""
        rows = self._rows_of_doc[int(self.doc[row])]
        orders = self.order[rows]
        centre = int(self.order[row])
        lo = np.searchsorted(orders, centre - n, side="left")
        hi = np.searchsorted(orders, centre + n, side="right")
        return rows[int(lo) : int(hi)]

    def allowed(
        self,
        doc_ids: Collection[str] = (),
        langs: Collection[str] = (),
        types: Collection[str] = (),
        bodies: Collection[str] = (),
        years: Collection[int] = (),
    ) -> np.ndarray:
        """Sorted rows that pass every non-empty restriction."""
        if doc_ids:
            rows = np.sort(np.concatenate([self.doc_rows(d) for d in doc_ids]))
        else:
            rows = np.arange(self.size)
        for column, values, wanted in (
            (self.lang, self._lang_values, {v.lower() for v in langs}),
            (self.type, self._type_values, {str(v) for v in types}),
            (self.body, self._body_values, {v.casefold() for v in bodies}),
        ):
            if wanted:
                codes = [code for v in wanted if (code := self._code(values, v)) is not None]
                rows = rows[np.isin(column[rows], codes)]
        if years:
            rows = rows[np.isin(self.year[rows], sorted(years))]
        return rows.astype(np.int64)

    def group_rows(self) -> dict[int, np.ndarray]:
        """The rows of every group of two or more clauses, by group id, latest year first,
        then in row order (the order `also_in` lists them in)."""
        by_group = np.lexsort((np.arange(len(self.group)), -self.year.astype(np.int64), self.group))
        bounds = np.flatnonzero(np.diff(self.group[by_group])) + 1
        return {int(self.group[rows[0]]): rows for rows in np.split(by_group, bounds) if len(rows) > 1}


def _codes(column: np.ndarray, normal: Callable[[str], str]) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct normalised values of `column` and each row's code among them.
    Normalised per distinct value, not per row: a few values, 10^5 rows."""
    raw, codes = np.unique(column, return_inverse=True)
    values, recode = np.unique(np.array([normal(v) for v in raw.tolist()], dtype=str), return_inverse=True)
    return values, recode[codes]


class StoredPassages(Sequence[Passage]):
    """passages.jsonl memory-mapped; each passage parsed on first access and kept."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else None
        if self._map is None:
            self._starts = self._ends = np.zeros(0, dtype=np.int64)
        else:
            ends = np.flatnonzero(np.frombuffer(self._map, dtype=np.uint8) == ord("\n"))
            if len(ends) == 0 or ends[-1] != len(self._map) - 1:  # no newline after the last line
                ends = np.append(ends, len(self._map))
            starts = np.concatenate([[0], ends[:-1] + 1])
            keep = ends > starts  # blank lines hold no passage
            self._starts, self._ends = starts[keep], ends[keep]
        self._parsed: list[Passage | None] = [None] * len(self._starts)

    def __len__(self) -> int:
        return len(self._parsed)

    def _passage(self, row: int) -> Passage:
        passage = self._parsed[row]
        if passage is None:
            assert self._map is not None  # rows exist only when the file has lines
            passage = Passage.model_validate_json(self._map[int(self._starts[row]) : int(self._ends[row])])
            self._parsed[row] = passage
        return passage

    @overload
    def __getitem__(self, index: int) -> Passage: ...

    @overload
    def __getitem__(self, index: slice) -> list[Passage]: ...

    def __getitem__(self, index: int | slice) -> Passage | list[Passage]:
        if isinstance(index, slice):
            return [self._passage(row) for row in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._passage(index)

    def __iter__(self) -> Iterator[Passage]:
        return (self._passage(row) for row in range(len(self)))
