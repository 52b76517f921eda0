"""Documents that are versions of one text: a draft and the resolution adopted from it, a
draft and its revision, a resolution and its successor of the next session.

The evidence, strongest first:
- a resolution adopted in plenary names its draft in its masthead ("[without reference to a
  Main Committee (A/80/L.41 and Add.1)]");
- a revision carries its draft's symbol and "/Rev.N" ("A/80/L.5/Rev.1");
- a Committee's draft (A/C.2/80/L.10) and the resolution adopted from it, and the yearly
  resolutions of a series (A/RES/78/132, 79/194, 80/118), share their title and most of
  their text, in one session or in successive ones. Agenda items are renumbered every
  session, so they are no evidence across sessions.

Text similarity is rapidfuzz's normalised Indel similarity of the two texts (`fuzz.ratio`,
0..1): a C++ bit-parallel edit distance, fast on whole resolutions (difflib's
SequenceMatcher is quadratic in Python and takes seconds on two long texts), and a measure
of the share of characters the texts keep in order, which is what a redraft changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

DRAFT_ADOPTED = "draft-adopted"
REVISION = "revision"
YEARLY_SUCCESSOR = "yearly-successor"
RELATIONS = (DRAFT_ADOPTED, REVISION, YEARLY_SUCCESSOR)
# Same title: rapidfuzz token-sort similarity of the titles (0..100), word order aside.
TITLE_MATCH = 90
# Share of the text a draft keeps in the resolution adopted from it (0..1); a draft
# with the same title below it is another text on the subject, not this resolution's draft.
DRAFT_SIMILARITY = 0.5
# A successor resolution rewrites more, but keeps most of the text of the year before.
SUCCESSOR_SIMILARITY = 0.4
MAX_SESSION_GAP = 2  # biennial resolutions skip a session

_SESSION = re.compile(r"^A/(?:RES/|C\.\d/)?(?P<session>\d{2,3})/")
_REVISION = re.compile(r"^(?P<base>.+)/Rev\.(?P<n>\d+)$")
_DRAFT_IN_MASTHEAD = re.compile(r"without reference to a Main Committee \((?P<draft>A/\d{2,3}/L\.\d+(?:/Rev\.\d+)?)")


@dataclass(frozen=True)
class VersionFacts:
    """What relating versions reads of one document."""

    doc_id: str
    symbol: str
    title: str
    text: str = ""  # the clauses' text (preamble and paragraphs), for similarity
    masthead: str = ""  # the title block, which may name the draft

    @property
    def session(self) -> int | None:
        match = _SESSION.match(self.symbol)
        return int(match.group("session")) if match else None

    @property
    def is_draft(self) -> bool:
        return "/L." in self.symbol

    @property
    def is_resolution(self) -> bool:
        return self.symbol.startswith("A/RES/")

    @property
    def named_draft(self) -> str | None:
        match = _DRAFT_IN_MASTHEAD.search(" ".join(self.masthead.split()))
        return match.group("draft") if match else None


class VersionLink(BaseModel):
    """Two documents that are versions of one text, earlier first."""

    a: str = Field(description="Id of the earlier version (the draft, the text revised, the previous session's).")
    b: str = Field(description="Id of the later version.")
    relation: str = Field(description="draft-adopted, revision or yearly-successor.")
    evidence: list[str] = Field(description="Why they are related, e.g. 'same title', 'text similarity 0.93'.")
    similarity: float = Field(description="Share of the text kept from a to b (0..1).")


def _title(title: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", title.casefold()).split())


def _similar_titles(a: VersionFacts, b: VersionFacts) -> bool:
    return fuzz.token_sort_ratio(_title(a.title), _title(b.title)) >= TITLE_MATCH


def text_similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100


def relate_versions(documents: Iterable[VersionFacts]) -> list[VersionLink]:
    """Every version relation among `documents`: each draft with the resolution adopted from
    it, each revision with what it revises, each resolution with its successor."""
    docs = list(documents)
    by_symbol = {d.symbol: d for d in docs}
    by_session: dict[int, list[VersionFacts]] = defaultdict(list)
    for doc in docs:
        if doc.session is not None and doc.is_resolution:
            by_session[doc.session].append(doc)
    links = _revisions(docs, by_symbol) + _redrafts(docs)
    links += _drafts_adopted(docs, by_symbol, by_session)
    links += _successors(by_session)
    return links


def _revisions(docs: Sequence[VersionFacts], by_symbol: dict[str, VersionFacts]) -> list[VersionLink]:
    links = []
    for doc in docs:
        match = _REVISION.match(doc.symbol)
        if match is None:
            continue
        number = int(match.group("n"))
        earlier = by_symbol.get(f"{match.group('base')}/Rev.{number - 1}") if number > 1 else None
        earlier = earlier or by_symbol.get(match.group("base"))
        if earlier is not None:
            similarity = text_similarity(earlier.text, doc.text)
            evidence = [f"{doc.symbol} revises {earlier.symbol}", f"text similarity {similarity:.2f}"]
            links.append(
                VersionLink(a=earlier.doc_id, b=doc.doc_id, relation=REVISION, evidence=evidence, similarity=similarity)
            )
    return links


def _redrafts(docs: Sequence[VersionFacts]) -> list[VersionLink]:
    """A draft and the later draft of its session that replaces it under a new symbol (a
    Vice-Chair's text "on the basis of informal consultations on draft resolution
    A/C.2/80/L.9" is A/C.2/80/L.57): same title, most of the text kept; the nearest later one."""
    drafts = sorted(
        (d for d in docs if d.is_draft and d.session is not None and not _REVISION.match(d.symbol)), key=_draft_number
    )
    links = []
    for index, earlier in enumerate(drafts):
        for later in drafts[index + 1 :]:
            if _series(later) != _series(earlier) or not _similar_titles(earlier, later):
                continue
            similarity = text_similarity(earlier.text, later.text)
            if similarity >= DRAFT_SIMILARITY:
                evidence = ["same session", "same title", f"a later draft, text similarity {similarity:.2f}"]
                links.append(_link(earlier, later, REVISION, evidence, similarity))
                break
    return links


def _series(doc: VersionFacts) -> str:
    """The series a draft's number runs in: "A/C.2/80/L." for A/C.2/80/L.57."""
    return doc.symbol.rsplit(".", 1)[0]


def _draft_number(doc: VersionFacts) -> tuple[str, int]:
    series, _, number = doc.symbol.rpartition(".")
    return series, int(number) if number.isdigit() else 0


def _drafts_adopted(
    docs: Sequence[VersionFacts], by_symbol: dict[str, VersionFacts], by_session: dict[int, list[VersionFacts]]
) -> list[VersionLink]:
    """A draft and the resolution of its session adopted from it: named in the resolution's
    masthead, or the resolution of the same title that keeps most of the draft's text."""
    links: list[VersionLink] = []
    named = {d.named_draft: d for d in docs if d.is_resolution and d.named_draft}
    for draft in (d for d in docs if d.is_draft and d.session is not None):
        adopted = named.get(draft.symbol)
        if adopted is not None:
            similarity = text_similarity(draft.text, adopted.text)
            evidence = [f"{adopted.symbol} was adopted on the basis of {draft.symbol} (its masthead)"]
            evidence.append(f"text similarity {similarity:.2f}")
            links.append(_link(draft, adopted, DRAFT_ADOPTED, evidence, similarity))
            continue
        scored = [
            (text_similarity(draft.text, resolution.text), resolution)
            for resolution in by_session.get(draft.session or 0, [])
            if _similar_titles(draft, resolution)
        ]
        if scored:
            similarity, best = max(scored, key=lambda item: item[0])
            if similarity >= DRAFT_SIMILARITY:
                evidence = ["same session", "same title", f"text similarity {similarity:.2f}"]
                links.append(_link(draft, best, DRAFT_ADOPTED, evidence, similarity))
    return links


def _successors(by_session: dict[int, list[VersionFacts]]) -> list[VersionLink]:
    """Each resolution with the resolution of the same title in the nearest later session
    (within `MAX_SESSION_GAP`) that keeps most of its text; one successor each."""
    links = []
    for session, resolutions in by_session.items():
        for earlier in resolutions:
            for gap in range(1, MAX_SESSION_GAP + 1):
                scored = [
                    (text_similarity(earlier.text, later.text), later)
                    for later in by_session.get(session + gap, [])
                    if _similar_titles(earlier, later)
                ]
                if not scored:
                    continue
                similarity, best = max(scored, key=lambda item: item[0])
                if similarity >= SUCCESSOR_SIMILARITY:
                    evidence = [
                        "same title",
                        f"session {session} -> {session + gap}",
                        f"text similarity {similarity:.2f}",
                    ]
                    links.append(_link(earlier, best, YEARLY_SUCCESSOR, evidence, similarity))
                break
    return links


def _link(a: VersionFacts, b: VersionFacts, relation: str, evidence: list[str], similarity: float) -> VersionLink:
    return VersionLink(a=a.doc_id, b=b.doc_id, relation=relation, evidence=evidence, similarity=round(similarity, 4))


def series(doc_id: str, links: Iterable[VersionLink]) -> list[str]:
    """The yearly series a resolution belongs to: its predecessors and successors, oldest
    first (itself alone when it has none)."""
    after = {link.a: link.b for link in links if link.relation == YEARLY_SUCCESSOR}
    before = {b: a for a, b in after.items()}
    first = doc_id
    seen = {first}
    while first in before and before[first] not in seen:
        first = before[first]
        seen.add(first)
    chain = [first]
    while chain[-1] in after and after[chain[-1]] not in chain:
        chain.append(after[chain[-1]])
    return chain
