"""The domain termbase (index/data/termbase.toml): UN/ITU terms with their equivalents in
the UN languages, used to carry a query across languages before lexical search."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import caseless

TERMBASE_PATH = Path(__file__).with_name("data") / "termbase.toml"
LANGUAGES = ("en", "zh", "fr", "es", "ru", "ar")


_LATIN_ACRONYM = re.compile(r"[A-Z]{2,8}")


@dataclass(frozen=True)
class Term:
    forms: tuple[tuple[str, str], ...]  # (language, surface form), every language

    def in_languages(self, languages: Collection[str] | None) -> list[str]:
        return list(dict.fromkeys(f for lang, f in self.forms if languages is None or lang in languages))


class Termbase:
    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        # Each form's pattern with a substring that any match of it must contain (`caseless`
        # unless the pattern is case-sensitive): the substring test rules out nearly every
        # term of a query before a regular expression runs.
        self._patterns = [[_filtered_pattern(f) for f in t.in_languages(None)] for t in terms]

    def acronyms(self) -> frozenset[str]:
        """Every form of every term that is an acronym in Latin capitals ("ITU", "WSIS", "GDC")."""
        return frozenset(f for term in self.terms for f in term.in_languages(None) if _LATIN_ACRONYM.fullmatch(f))

    def acronym_names(self) -> frozenset[str]:
        """Every other form of the terms that have an acronym: the names the acronyms stand
        for, in every language ("World Summit on the Information Society" for "WSIS")."""
        return frozenset(
            f
            for term in self.terms
            if any(_LATIN_ACRONYM.fullmatch(f) for f in term.in_languages(None))
            for f in term.in_languages(None)
            if not _LATIN_ACRONYM.fullmatch(f)
        )

    def find(self, text: str) -> list[Term]:
        """The terms `text` mentions, in termbase order. Expanding a query needs this once;
        `forms` then writes it out for each set of languages."""
        lowered = caseless(text)
        return [
            term
            for term, patterns in zip(self.terms, self._patterns, strict=True)
            if any(
                (needle in lowered if caseless_needle else needle in text) and pattern.search(text)
                for needle, caseless_needle, pattern in patterns
            )
        ]

    @staticmethod
    def forms(terms: list[Term], text: str, languages: Collection[str] | None = None) -> list[str]:
        """Forms (in `languages`, default all) of `terms`, leaving out those `text` already contains."""
        lowered = text.lower()
        found: list[str] = []
        for term in terms:
            found += [f for f in term.in_languages(languages) if f.lower() not in lowered and f not in found]
        return found

    def equivalents(self, text: str, languages: Collection[str] | None = None) -> list[str]:
        """Forms (in `languages`, default all) of every term `text` mentions, leaving out
        those `text` already contains."""
        return self.forms(self.find(text), text, languages)


def _filtered_pattern(form: str) -> tuple[str, bool, re.Pattern[str]]:
    """The pattern of `form`, with text that every match of it contains and whether that
    text is `caseless` (for a case-insensitive pattern) or as written: the form without the
    plural ending the pattern lets vary."""
    pattern = _form_pattern(form)
    if not pattern.flags & re.IGNORECASE:
        return form, False, pattern
    stem = form[:-1] if form[-1].isalpha() and form.endswith("s") and not form.endswith("ss") else form
    return caseless(stem), True, pattern


def _form_pattern(form: str) -> re.Pattern[str]:
    # Latin forms match as whole words (so "AI" is not found inside "maintain");
    # Han forms match anywhere, Chinese having no spaces.
    escaped = re.escape(form)
    if re.search(r"[A-Za-z0-9]", form):
        acronym = form.isupper() and len(form) <= 4
        if not acronym and form[-1].isalpha():
            # Singular or plural, whichever the entry lists: "financial implication"
            # finds the entry "financial implications", "resolution" finds "resolutions".
            stem = form[:-1] if form.endswith("s") and not form.endswith("ss") else form
            escaped = re.escape(stem) + "(?:s|es)?"
        flags = 0 if acronym else re.IGNORECASE
        return re.compile(rf"(?<![A-Za-z0-9-]){escaped}(?![A-Za-z0-9-])", flags)
    return re.compile(escaped)


def parse_termbase(path: Path) -> Termbase:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    for entry in raw.get("term", []):
        unknown = set(entry) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"{path}: unknown language keys {sorted(unknown)}")
        terms.append(Term(tuple((lang, form) for lang in LANGUAGES for form in entry.get(lang, []))))
    return Termbase(terms)


@lru_cache
def load_termbase(path: Path = TERMBASE_PATH) -> Termbase:
    return parse_termbase(path)
