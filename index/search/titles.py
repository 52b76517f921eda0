"""Documents a question names by their title's words ("the Pact", "the Cybercrime
Convention", "the Sevilla Commitment"), not by symbol or alias: a document whose title's
telling words the question nearly all uses is one the question is about. Such documents
join the focus round's documents (focus.py), so their clauses are ranked among themselves.

A title's words weigh by their rarity among the titles (idf): "Convention" and "Cybercrime"
carry "United Nations Convention against Cybercrime", "United" and "Nations" hardly count.
A title in parts ("United Nations Convention against Cybercrime; Strengthening International
Cooperation for Combating Certain Crimes ...") is also named by each part alone: a delegate
says the Convention's name, never its subtitle's twenty words.

A title also names its documents by the acronyms of the names in it: "UNDOF" is the
"Financing of the United Nations Disengagement Observer Force" resolutions, which never
write it. An acronym names documents only when it is specific: of at most two distinct
titles (a recurring resolution's sessions share one), and not a term of the termbase
("ITU", "WSIS", "ICT" are what questions ask about, not which document).

For the same reason a title that is the name such an acronym stands for ("World Summit on
the Information Society", the title of the Summit's yearly resolutions) is named only by
the question's own words: the termbase's forms of "WSIS" in "the WSIS+20 text" cover it,
and the question asks about the Summit, not about those resolutions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from ...core.vocabulary import DocumentMeta
from ..analysis import analyse
from .priors import recurring_title


@dataclass(frozen=True)
class TitleConfig:
    coverage: float = 0.0  # share of a title's weight the question must use (0 = off)
    documents: int = 3  # at most this many documents, best covered first


_ACRONYM = re.compile(r"\b[A-Z]{3,8}\b")
_TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_JOINING = frozenset({"of", "in", "for", "and", "on", "the", "to"})
_LONGEST_NAME = 10  # words
_ACRONYM_TITLES = 2  # distinct titles an acronym may name


def title_acronyms(title: str) -> dict[str, str]:
    """The acronyms the names in `title` make, each with the words it stands for: the
    initials of each run of capitalised words, the joining words between them taken or left
    out ("United Nations Mission in South Sudan": UNMISS and UNMSS), of three to eight
    letters."""
    words = _TITLE_WORD.findall(title)
    found: dict[str, str] = {}
    for start, first in enumerate(words):
        if not first[0].isupper():
            continue
        initials = [first[0]]
        for end in range(start + 1, min(len(words), start + _LONGEST_NAME)):
            word = words[end]
            if word[0].isupper():
                initials = [a + word[0] for a in initials]
                name = " ".join(words[start : end + 1])
                for acronym in initials:
                    if 3 <= len(acronym) <= 8:
                        found.setdefault(acronym, name)
            elif word.lower() in _JOINING:
                initials = [*initials, *(a + word[0].upper() for a in initials)]
            else:
                break
    return found


@dataclass(frozen=True)
class TitleAcronym:
    """An acronym of a question that names documents by their title."""

    acronym: str  # as the question writes it: "UNDOF"
    name: str  # the words of the title it stands for: "United Nations Disengagement Observer Force"
    documents: tuple[str, ...]  # ids of the documents it names


_TITLE_PARTS = re.compile(r"\s*;\s+")


def _title_tokens(title: str) -> frozenset[str]:
    # The number a resolution's title carries ("79/1. The Pact for the Future") is its
    # symbol, which the reference resolver already knows.
    return frozenset(t for t in analyse(title) if not t.startswith(("sym:", "res:")) and not t.isdigit())


def _title_names(title: str) -> list[frozenset[str]]:
    """The word sets that name a document by its title: the whole title and, when it is in
    parts, each part."""
    parts = [part for part in _TITLE_PARTS.split(title) if part.strip()]
    return [_title_tokens(name) for name in ([title, *parts] if len(parts) > 1 else [title])]


class TitleIndex:
    """Each document's title words with their weights, and the documents holding each word
    (a question meets only the titles that share a word with it)."""

    def __init__(
        self, documents: Sequence[DocumentMeta], terms: Collection[str] = (), term_names: Iterable[str] = ()
    ) -> None:
        """`terms`: acronyms that are terms of the domain, never a document's name;
        `term_names`: the names those acronyms stand for (a title among them is a term's)."""
        # One entry per name a title gives its document (_title_names): `_ids` may repeat.
        entries = [(doc.id, name) for doc in documents for name in _title_names(doc.title)]
        self._ids = [doc_id for doc_id, _ in entries]
        words = [title for _, title in entries]
        names = {frozenset(analyse(name)) for name in term_names} - {frozenset()}
        self._term_titles = frozenset(i for i, title in enumerate(words) if title in names)
        self._holders: dict[str, list[int]] = {}  # title word -> the entries that have it
        for i, title in enumerate(words):
            for token in title:
                self._holders.setdefault(token, []).append(i)
        total = len(documents)
        self._weight = {
            t: math.log((1 + total) / len({self._ids[i] for i in held})) for t, held in self._holders.items()
        }
        self._mass = [math.fsum(self._weight[token] for token in title) for title in words]
        named: dict[str, list[int]] = {}
        spelled: dict[str, str] = {}
        for i, doc in enumerate(documents):
            for acronym, name in title_acronyms(doc.title).items():
                named.setdefault(acronym, []).append(i)
                spelled.setdefault(acronym, name)
        recurring = [recurring_title(doc) for doc in documents]
        self._by_acronym = {
            acronym: TitleAcronym(acronym, spelled[acronym], tuple(documents[i].id for i in held))
            for acronym, held in named.items()
            if acronym not in terms and len({recurring[i] for i in held}) <= _ACRONYM_TITLES
        }

    def acronyms(self, text: str, config: TitleConfig) -> list[TitleAcronym]:
        """The acronyms in `text` (as written: capitals) that name documents, in the
        question's order (off with the title coverage)."""
        if config.coverage <= 0:
            return []
        found = (self._by_acronym.get(acronym) for acronym in dict.fromkeys(_ACRONYM.findall(text)))
        return [acronym for acronym in found if acronym is not None]

    def covered(
        self, query_tokens: Iterable[str], config: TitleConfig, own_tokens: Iterable[str] | None = None
    ) -> list[str]:
        """Ids of the documents whose title weight the query's tokens cover at least
        `config.coverage` of, best covered first, at most `config.documents`. `own_tokens`:
        those of `query_tokens` the question writes (the rest are expansions of its terms),
        the only ones that count for a title that is a term's name (all of them when not
        given)."""
        if config.coverage <= 0:
            return []
        tokens = frozenset(query_tokens)
        own = tokens if own_tokens is None else frozenset(own_tokens)
        used: dict[int, list[float]] = {}
        for token in tokens & self._holders.keys():
            for i in self._holders[token]:
                if token in own or i not in self._term_titles:
                    used.setdefault(i, []).append(self._weight[token])
        # fsum: a set's order changes from one process to the next (string hashing), and a
        # plain sum in that order could rank two equally covered titles either way.
        shares: dict[str, float] = {}  # each document's best covered name
        for i, weights in used.items():
            if self._mass[i] and (share := math.fsum(weights) / self._mass[i]) >= config.coverage:
                shares[self._ids[i]] = max(share, shares.get(self._ids[i], 0.0))
        return [
            doc_id for _, doc_id in sorted((-share, doc_id) for doc_id, share in shares.items())[: config.documents]
        ]
