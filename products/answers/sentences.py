"""The text side of answers: what a question says (its content terms, the names of actors
in it, whether it asks what someone is given to do) found again in a sentence, in either
corpus language. The sentences themselves are cut by core/sentences.py.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...core.vocabulary import ClauseKind
from ...core.words import CHINESE_FUNCTION_WORDS, HAN, STOPWORDS, han_bigrams
from ...index.api import chinese_words, load_dictionary, load_termbase

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/+&'-]*[A-Za-z0-9]|\d+(?:/\d+)+|\d+(?:st|nd|rd|th)\b")
_HAN_RUN = re.compile(f"[{HAN}]+")
_HAN = re.compile(f"[{HAN}]")
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
# A name as a question writes it: a run of capitalised words ("World Bank", "Human Rights
# Council", "UNICEF"), joined by the small words of names ("Partnership on Measuring ICT
# for Development"). Document symbols are taken out first (their letters are no name).
_NAME = re.compile(r"[A-Z][\w&'-]*(?:\s+(?:(?:on|of|for|and|the|in)\s+)*[A-Z][\w&'-]*)*")
_SYMBOL = re.compile(r"\S*/\S*")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&-]+")
# Capitalised because they open a question, not because they name anything.
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how does do did is are was were can could should would will "
    "has have had according under for in on to compare list name give quote".split()
)
# What a clause decides, asks or gives (as against what it recalls or observes).
OPERATIVE = frozenset(
    {
        ClauseKind.PARAGRAPH,
        ClauseKind.SUBPARAGRAPH,
        ClauseKind.ITEM,
        ClauseKind.BLOCK_ITEM,
        ClauseKind.SECTION_PARAGRAPH,
    }
)

# A question that asks what someone is given to do, and the words with which a clause
# gives it (English and Chinese). Any of these in a sentence counts, the question's own
# verb or not: "assign to ITU" is answered by "a secretariat provided by ITU".
_ASKS_FOR_TASK = re.compile(
    r"\b(?:assign\w*|task\w*|mandat\w*|entrust\w*|role|roles|responsib\w*|ask\w*|request\w*|invit\w*|"
    r"call\w* (?:on|upon|for)|encourag\w*|urg\w*|expect\w*)\b|"
    r"职责|任务|作用|角色|负责|要求|请|邀请|呼吁|鼓励|授权",
    re.IGNORECASE,
)
_GIVES_TASK = re.compile(
    r"\b(?:requests?|invites?|calls? (?:up)?on|calls? for|encourages?|urges?|decides?|entrusts?|tasks?|"
    r"mandates?|designates?|provided by|hosted by|led by|facilitated by|coordinated by|convened by|"
    r"in (?:collaboration|coordination|cooperation) with|responsib\w+|role)\b|"
    r"请|邀请|呼吁|鼓励|决定|委托|负责|牵头|主持|作用|职责|任务",
    re.IGNORECASE,
)


def task_words(question: str) -> list[str]:
    """The words with which the question asks for a task ("assign", "mandate", "要求"): its
    frame, not its topic."""
    return [m.group() for m in _ASKS_FOR_TASK.finditer(question)]


def content_terms(question: str) -> set[str]:
    """Content words and symbols of the question (as written: the termbase knows "ITU",
    not "itu"), and the dictionary words of its Chinese (a run the dictionary has no word
    of: its character bigrams), so that `occurs` finds them in English text too through
    their glosses."""
    terms = {w for w in _WORD.findall(question) if w.lower() not in STOPWORDS and len(w) > 2}
    for run in _HAN_RUN.findall(question):
        words = chinese_words(run, load_dictionary())
        terms |= {w for w in words if w not in CHINESE_FUNCTION_WORDS} if words else set(han_bigrams(run))
    return {t for t in terms if len(t) > 1}


def actor_names(question: str) -> set[str]:
    """The names the question asks about, as it writes them: runs of capitalised words and
    acronyms (ITU, World Bank, UNICEF); in a question without Latin names, the termbase's
    names it mentions (国际电联 -> International Telecommunication Union). Document symbols
    are not names; a document's word name ("the Global Digital Compact") is. `occurs` finds
    a name in either language through the termbase."""
    names: set[str] = set()
    for match in _NAME.finditer(_SYMBOL.sub(" ", question)):
        for piece in _two_names(match.group()):
            words = piece.removesuffix("'s").split()
            while words and words[0].lower() in _QUESTION_WORDS:
                words = words[1:]
            if len(name := " ".join(words)) > 1:
                names.add(name)
    if names:
        return names
    english = (term.in_languages(["en"]) for term in load_termbase().find(question))
    return {forms[0] for forms in english if forms and forms[0][0].isupper()}


def _two_names(run: str) -> list[str]:
    """A run of capitalised words split where "and" joins two names rather than two words of
    one name: before a small word, or beside an acronym ("UNICEF and the Secretary-General",
    "ITU and of UNESCO", "ITU and UNESCO"; not "Economic and Social Council")."""
    words = run.split()
    pieces, start = [], 0
    for i, word in enumerate(words):
        if word == "and" and 0 < i < len(words) - 1:
            before, after = words[i - 1], words[i + 1]
            if after.islower() or _ACRONYM.fullmatch(before) or _ACRONYM.fullmatch(after):
                pieces.append(words[start:i])
                start = i + 1
    pieces.append(words[start:])
    # The small words after "and" ("of the") belong to neither name.
    return [" ".join(p[next((j for j, w in enumerate(p) if not w.islower()), len(p)) :]) for p in pieces]


def asks_for_task(question: str) -> bool:
    """Whether the question asks what someone is given to do (a task, role or request)."""
    return bool(_ASKS_FOR_TASK.search(question))


def gives_task(sentence: str) -> bool:
    """Whether the sentence gives someone a task, role or request."""
    return bool(_GIVES_TASK.search(sentence))


@lru_cache(maxsize=4096)
def term_forms(term: str) -> tuple[str, ...]:
    """The term and what else says it: its termbase equivalents in the other UN languages
    ("meeting" -> "会议"), a Chinese word's dictionary glosses ("宽带" -> "broadband"), and
    the number of an ordinal ("44th" -> "44", as in "第44次")."""
    ordinal = _ORDINAL.fullmatch(term)
    forms = [term.lower(), *(f.lower() for f in load_termbase().equivalents(term))]
    if _HAN.match(term):
        forms += [gloss.lower() for gloss in load_dictionary().get(term, [])]
    return tuple(forms + [ordinal.group(1)] if ordinal else forms)


def occurs(term: str, lowered_text: str) -> bool:
    """Whether `term`, in any of its forms, occurs in the (lower-cased) text."""
    for form in term_forms(term):
        if _HAN.match(form) or form.isdigit():
            if form in lowered_text:
                return True
        # At a word start, so that "assign" finds "assigned" but "cup" does not find "occupied".
        elif re.search(r"(?<![a-z0-9])" + re.escape(form), lowered_text):
            return True
    return False


def lexical_overlap(terms: set[str], text: str) -> float:
    """Share of the question's content terms that the text says, in any language."""
    if not terms:
        return 0.0
    lowered = text.lower()
    return sum(occurs(term, lowered) for term in terms) / len(terms)
