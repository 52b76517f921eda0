"""The data the mandate view judges with: actors and their names (data/actors.toml) and the
assignment constructions (data/mandate_patterns.toml), compiled into regexes.

Kept as data so that a secretariat officer can add an actor, a language or a construction
without touching code; docs/mandates.md explains the rule they implement.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ...core.errors import InvalidRequestError

DATA_DIR = Path(__file__).with_name("data")
ACTORS_PATH = DATA_DIR / "actors.toml"
PATTERNS_PATH = DATA_DIR / "mandate_patterns.toml"

# A stretch of one sentence that may separate an assigning verb from its object; see the
# header of mandate_patterns.toml for why " to " and " with " stop it.
GAP = r"(?:(?!\bto\b|\bwith\b|\bas\b)[^.;:。；]){0,200}?"
# A short form ("the Commission") followed by "on/of/for ..." or a capitalised word is
# the start of some full name ("the Commission on Science and Technology ..."), not a
# short form standing alone.
# Scripts written with spaces between words, where a name is bounded by word boundaries.
_SPACED_SCRIPT = re.compile(r"[A-Za-zÀ-ÿА-яء-ي]")
SHORT_FORM_END = r"(?!\s+(?:on|of|for)\s|\s+(?-i:[A-Z]))"


def _alias_regex(alias: str) -> str:
    """A regex for one name: word-bounded when it is written in a script with spaces,
    plain for CJK names (Chinese has no word boundaries to rely on)."""
    escaped = re.escape(alias).replace(r"\ ", r"\s+")
    if _SPACED_SCRIPT.match(alias[0]):
        escaped = r"(?<![\w])" + escaped
    if _SPACED_SCRIPT.match(alias[-1]):
        escaped = escaped + r"(?![\w])"
    return escaped


def _piece_regex(name: str) -> str:
    """The longest space-free piece of `name`, as `_alias_regex` requires it to stand: after
    a word boundary when it follows a space in the name or opens a name that starts with a
    letter."""
    pieces = name.split()
    longest = max(range(len(pieces)), key=lambda i: len(pieces[i]))
    bounded = longest > 0 or _SPACED_SCRIPT.match(name[0])
    return (r"(?<![\w])" if bounded else "") + re.escape(pieces[longest])


def _alternation(names: list[str], short_forms: Sequence[str] = ()) -> str:
    # Longest first, so that "World Summit action line facilitators" wins over its tail.
    full = [_alias_regex(n) for n in sorted(names, key=len, reverse=True)]
    return "|".join(full + [_alias_regex(s) + SHORT_FORM_END for s in short_forms])


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    aliases: list[str]
    contextual: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    @cached_property
    def full_name_regex(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.aliases), re.IGNORECASE)

    @cached_property
    def any_name_regex(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.aliases, self.contextual), re.IGNORECASE)

    @cached_property
    def _name_pieces(self) -> tuple[tuple[str, ...], re.Pattern[str]]:
        names = [*self.aliases, *self.contextual]
        pieces = tuple({max(name.lower().split(), key=len) for name in names})
        return pieces, re.compile("|".join(sorted({_piece_regex(name) for name in names})), re.IGNORECASE)

    def may_name(self, text: str) -> bool:
        """False when `text` cannot name the actor: every match of `any_name_regex` holds
        the longest space-free piece of some name, word-bounded where the name's regex is.
        A substring test first, then that small regex: far cheaper over a whole index than
        the names' regex."""
        pieces, regex = self._name_pieces
        lowered = text.lower()
        return any(piece in lowered for piece in pieces) and regex.search(text) is not None

    @cached_property
    def exclude_regexes(self) -> list[re.Pattern[str]]:
        return [re.compile(x, re.IGNORECASE) for x in self.exclude]

    def names(self) -> list[str]:
        return [self.name, self.id, *self.aliases]


class AssignmentPattern(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    category: str
    regex: str

    def compile_for(self, actor_names: str) -> re.Pattern[str]:
        """This construction with `{actor}` bound to a named group over `actor_names`."""
        source = self.regex.replace("{gap}", GAP).replace("{actor}", f"(?P<actor>{actor_names})")
        return re.compile(source, re.IGNORECASE)


class MandateRules(BaseModel):
    actors: list[Actor]
    patterns: list[AssignmentPattern]
    _compiled: dict[str, list[tuple[AssignmentPattern, re.Pattern[str]]]] = PrivateAttr(default_factory=dict)

    def resolve_actor(self, name: str) -> Actor:
        """An actor by id, display name or any alias (case- and space-insensitive)."""
        key = name_key(name)
        if not key:
            raise InvalidRequestError("the actor is empty: name one, e.g. 'ITU'")
        for actor in self.actors:
            if key in {name_key(n) for n in actor.names()}:
                return actor
        known = ", ".join(a.id for a in self.actors)
        raise InvalidRequestError(f"unknown actor {name!r}; known actors: {known} (or any of their aliases)")

    def actors_named_in(self, text: str) -> list[Actor]:
        """Actors whose full name (not a contextual short form) occurs in `text`."""
        return [a for a in self.actors if a.full_name_regex.search(text)]

    def sharing_short_form(self, short: str) -> list[Actor]:
        key = name_key(short)
        return [a for a in self.actors if key in {name_key(c) for c in a.contextual}]

    def patterns_for(self, actor: Actor) -> list[tuple[AssignmentPattern, re.Pattern[str]]]:
        """Every pattern compiled against the actor's names (compiled on first use)."""
        if actor.id not in self._compiled:
            names = _alternation(actor.aliases, actor.contextual)
            self._compiled[actor.id] = [(p, p.compile_for(names)) for p in self.patterns]
        return self._compiled[actor.id]


def name_key(text: str) -> str:
    # "the Secretary-General" and "Secretary-General" name the same actor.
    return re.sub(r"^the ", "", " ".join(text.casefold().split()))


def parse_rules(actors_path: Path, patterns_path: Path) -> MandateRules:
    actors = tomllib.loads(actors_path.read_text(encoding="utf-8")).get("actor", [])
    patterns = tomllib.loads(patterns_path.read_text(encoding="utf-8")).get("pattern", [])
    return MandateRules(actors=[Actor(**a) for a in actors], patterns=[AssignmentPattern(**p) for p in patterns])


@lru_cache
def load_rules() -> MandateRules:
    return parse_rules(ACTORS_PATH, PATTERNS_PATH)
